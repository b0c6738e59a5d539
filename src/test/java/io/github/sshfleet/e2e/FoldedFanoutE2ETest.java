package io.github.sshfleet.e2e;

import static io.github.sshfleet.testing.JarServer.call;
import static io.github.sshfleet.testing.JarServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fan-out to 120 machine names through the JAR: one folded group, a short text, each host's result on request. */
@RequiresSshd
class FoldedFanoutE2ETest {

    @TempDir
    static Path tmp;

    static McpSyncClient client;

    @BeforeAll
    static void start() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        StringBuilder hosts = new StringBuilder();
        for (int i = 1; i <= 120; i++) { // 120 names on the fleet's addresses
            hosts.append(sshd.line("f-" + i, 1 + i % 3, SshdFleet.NP_USER, ":" + sshd.npPassword))
                    .append('\n');
        }
        client = JarServer.client(
                sshd.writeConfig(tmp.resolve("cfg"), hosts.toString(), "max_parallel_hosts: 64\n"),
                tmp.resolve("home"));
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.closeGracefully();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void identicalAnswersFoldAndEachHostStaysRetrievable() {
        CallToolResult r = call(client, "exec", Map.of("host", "f-*", "command", "echo same; test $(id -un) = x"));
        String t = text(r);
        assertTrue(t.startsWith("120 hosts: 0 ok, 120 failed (120 non-zero exit)"), t);
        assertTrue(t.contains("=== f-[1-120] (120 hosts) exit_code: 1"), t);
        assertTrue(t.length() < 2_048, "text " + t.length() + ": " + t);
        Map<String, Object> s = (Map<String, Object>) r.structuredContent();
        assertEquals(1, ((List<?>) s.get("groups")).size());
        String runId = (String) s.get("command_id");
        CallToolResult one = call(client, "get_command_status", Map.of("command_id", runId, "host", "f-77"));
        assertFalse(one.isError(), text(one));
        assertTrue(text(one).contains("f-77: exit_code 1") && text(one).contains("same"), text(one));
        System.out.println("120 identical through the JAR: text " + t.length() + " B");
    }

    @Test
    void threeHostsWithDistinctAnswersStayThreeSections() {
        CallToolResult r = call(
                client,
                "exec",
                Map.of("host", List.of("f-1", "f-2", "f-3"), "command", "echo $SSH_CONNECTION | cut -d' ' -f3"));
        String t = text(r);
        assertTrue(t.startsWith("3 hosts: 3 ok, 0 failed"), t);
        assertEquals(3, t.split("=== f-", -1).length - 1, t);
        System.out.println("3 distinct through the JAR: text " + t.length() + " B");
    }
}
