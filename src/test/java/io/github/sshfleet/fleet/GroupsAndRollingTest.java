package io.github.sshfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.mcp.tools.ToolCatalog;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.Folded;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host groups (config.yaml and group= columns) and rolling runs that stop at a failing batch, on real sshd. */
@RequiresSshd
class GroupsAndRollingTest {

    @TempDir
    Path tmp;

    FleetServices fleet;

    @AfterEach
    void close() {
        if (fleet != null) {
            fleet.close();
        }
    }

    void open() throws Exception {
        SshdFleet s = SshdFleet.get();
        String np = ":" + s.npPassword;
        String hosts = s.line("r-1", 2, SshdFleet.NP_USER, np) + "\n"
                + s.line("r-2", 3, SshdFleet.NP_USER, np) + "\n"
                + s.line("r-3", 2, SshdFleet.NOSUDO_USER, ":" + s.nosudoPassword) + "\n"
                + s.line("r-4", 3, SshdFleet.NP_USER, np) + "\n"
                + s.line("r-5", 2, SshdFleet.NP_USER, np) + "\tgroup=db,eu\n"
                + s.line("r-6", 3, SshdFleet.NP_USER, np) + "\tgroup=eu\n";
        fleet = Fleets.open(
                s.writeConfig(tmp.resolve("cfg"), hosts, "groups:\n  web: [r-1, r-2]\n" + "  front: ['@web', r-4]\n"),
                tmp);
    }

    CallToolResult call(String tool, Object... kv) {
        Map<String, Object> a = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            a.put((String) kv[i], kv[i + 1]);
        }
        ToolHandler t = ToolCatalog.find(fleet, tool);
        return t.call(new Args(tool, a), Progress.NONE);
    }

    static String text(CallToolResult r) {
        return ((TextContent) r.content().get(0)).text();
    }

    @Test
    void groupsFromConfigAndHostsLinesSelectMachines() throws Exception {
        open();
        assertEquals(
                List.of("r-1", "r-2", "r-4"),
                fleet.machines().select("@front").stream().map(Machine::name).toList());
        assertEquals(
                List.of("r-5", "r-6"),
                fleet.machines().select("@eu").stream().map(Machine::name).toList());
        assertEquals(
                List.of("r-5", "r-1", "r-2"),
                fleet.machines().select("@db,@web").stream().map(Machine::name).toList());
        FleetException e =
                assertThrows(FleetException.class, () -> fleet.machines().select("@nope"));
        assertTrue(e.getMessage().contains("groups: db, eu, front, web"), e.getMessage());
        String listed = text(call("list_machines"));
        assertTrue(listed.contains("groups=front,web"), listed);
        assertTrue(listed.contains("groups=db,eu"), listed);
        CallToolResult r = call("exec", "host", "@web", "command", "echo hi");
        assertTrue(text(r).startsWith("2 hosts: 2 ok"), text(r));
    }

    @Test
    void aRollingRunStopsBeforeTheNextBatchWhenOneFails() throws Exception {
        open();
        String mark = "/tmp/ssh-fleet-rolling-" + Tokens.next();
        // r-3 logs in as a user for whom the command fails; it is in batch 2 of 3.
        CallToolResult r = call(
                "exec",
                "host",
                List.of("r-1", "r-2", "r-3", "r-4", "r-5", "r-6"),
                "command",
                "echo ran >> " + mark + "-$(id -un); [ $(id -un) != " + SshdFleet.NOSUDO_USER + " ]",
                "strategy",
                "rolling",
                "batch_size",
                2);
        assertTrue(r.isError());
        Map<String, Object> r3 = Folded.host(r.structuredContent(), "r-3");
        assertEquals(1, r3.get("exit_code"));
        for (String notStarted : List.of("r-5", "r-6")) {
            Map<String, Object> h = Folded.host(r.structuredContent(), notStarted);
            assertEquals("cancelled", h.get("error"), h.toString());
            assertTrue(
                    ((String) h.get("message")).contains("not started: the rolling run stopped after batch 2"),
                    h.toString());
        }
        // On the hosts: batches 1 and 2 ran (r-1, r-2, r-4 as sft_np; r-3 as sft_nosudo), batch 3 never started.
        assertEquals(
                3, Files.readAllLines(Path.of(mark + "-" + SshdFleet.NP_USER)).size());
        assertEquals(
                1,
                Files.readAllLines(Path.of(mark + "-" + SshdFleet.NOSUDO_USER)).size());
        Files.deleteIfExists(Path.of(mark + "-" + SshdFleet.NP_USER));
        Files.deleteIfExists(Path.of(mark + "-" + SshdFleet.NOSUDO_USER));
    }
}
