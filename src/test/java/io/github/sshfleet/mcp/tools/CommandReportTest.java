package io.github.sshfleet.mcp.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.ssh.CommandResult;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Fan-out results folded for the reader: identical outputs once under a host set, a total budget at any size. */
class CommandReportTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static CommandResult ran(String host, int exit, String out) {
        return new CommandResult(
                host, "10.0.0.1:22", exit, null, out, "", out.length(), 0, false, false, false, 12, null, null);
    }

    static String text(CallToolResult r) {
        return ((TextContent) r.content().get(0)).text();
    }

    static int structuredBytes(CallToolResult r) throws Exception {
        return JSON.writeValueAsString(r.structuredContent()).length();
    }

    @Test
    void fiveHundredIdenticalAnswersFoldIntoOneShortGroup() throws Exception {
        List<CommandResult> rs = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            rs.add(ran("web-" + i, 0, "5.10.0-28-amd64\n"));
        }
        CallToolResult r = CommandReport.report(rs, 64 * 1024, "run-1");
        String t = text(r);
        assertTrue(t.startsWith("500 hosts: 500 ok, 0 failed\n"), t);
        assertTrue(
                t.contains("=== web-[1-500] (500 hosts) exit_code: 0, 12 ms ===\n--- stdout ---\n5.10.0-28-amd64"), t);
        assertTrue(t.length() <= 2048, "text " + t.length());
        assertFalse(r.isError());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> groups =
                (List<Map<String, Object>>) ((Map<String, Object>) r.structuredContent()).get("groups");
        assertEquals(1, groups.size());
        assertEquals(500, groups.get(0).get("count"));
        System.out.println("500 identical: text " + t.length() + " B, structured " + structuredBytes(r) + " B");
    }

    @Test
    void outliersAndErrorsAreTheirOwnGroupsAndLikeFailuresFold() {
        List<CommandResult> rs = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            rs.add(ran("web-" + i, 0, "ok\n"));
        }
        rs.add(ran("web-6", 1, "disk full\n"));
        for (int i = 7; i <= 9; i++) {
            rs.add(CommandResult.failed(
                    "web-" + i,
                    "10.0.0." + i + ":22",
                    3,
                    new FleetException(
                            FleetException.Kind.UNREACHABLE,
                            "cannot reach web-" + i + " (10.0.0." + i + ":22): connection " + "refused")));
        }
        CallToolResult r = CommandReport.report(rs, 64 * 1024, "run-1");
        String t = text(r);
        assertTrue(t.startsWith("9 hosts: 5 ok, 4 failed (1 non-zero exit, 3 errors)"), t);
        assertTrue(t.contains("=== web-[1-5] (5 hosts) exit_code: 0"), t);
        assertTrue(t.contains("=== web-[7-9] (3 hosts) ERROR unreachable"), t);
        assertTrue(t.contains("=== web-6 (1 host, outlier) exit_code: 1"), t);
        assertTrue(
                t.indexOf("web-[1-5]") < t.indexOf("web-[7-9]") && t.indexOf("web-[7-9]") < t.indexOf("web-6"),
                "largest group first: " + t);
        assertTrue(r.isError());
    }

    @Test
    void twoHundredFiftyDistinctTwentyKilobyteOutputsStayWithinTheBudget() throws Exception {
        List<CommandResult> rs = new ArrayList<>();
        for (int i = 1; i <= 250; i++) {
            rs.add(ran("db-" + i, 0, ("host " + i + " ").repeat(4096).substring(0, 20 * 1024)));
        }
        CallToolResult r = CommandReport.report(rs, 64 * 1024, "run-1");
        String t = text(r);
        assertTrue(t.length() <= 64 * 1024, "text " + t.length());
        assertTrue(structuredBytes(r) <= 128 * 1024, "structured " + structuredBytes(r));
        assertTrue(t.contains("output omitted") && t.contains("max_call_output_bytes"), t.substring(t.length() - 400));
        assertTrue(t.contains("get_command_status(command_id=\"run-1\", host="), t.substring(t.length() - 400));
        assertTrue(
                t.contains("db-250") || t.contains("-250]"),
                "every host is still named: " + t.substring(t.length() - 600));
        System.out.println("250 x 20 KiB distinct: text " + t.length() + " B, structured " + structuredBytes(r) + " B");
    }

    @Test
    void aSingleHostKeepsItsFullRow() {
        CallToolResult r = CommandReport.report(List.of(ran("web-1", 0, "hi\n")), 64 * 1024, null);
        @SuppressWarnings("unchecked")
        Map<String, Object> row =
                ((List<Map<String, Object>>) ((Map<String, Object>) r.structuredContent()).get("results")).get(0);
        assertEquals("hi\n", row.get("stdout"));
        assertEquals("exit_code: 0, 12 ms [web-1]\n--- stdout ---\nhi", text(r));
    }
}
