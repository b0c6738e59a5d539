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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Persistent shells and tmux through the shipped JAR with the SDK's client. */
@RequiresSshd
class ShellsAndTmuxE2ETest {

    @TempDir
    static Path tmp;

    static McpSyncClient client;

    @BeforeAll
    static void start() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        client = JarServer.client(sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts(), ""), tmp.resolve("home"));
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.closeGracefully();
        }
    }

    @Test
    void rootShellKeepsStateAcrossCalls() {
        CallToolResult open = call(client, "shell_open", Map.of("host", "fleet-1"));
        assertFalse(open.isError(), text(open));
        String id = (String) ((Map<?, ?>) open.structuredContent()).get("session_id");
        assertEquals("shell-fleet-1-1", id);
        assertTrue(text(open).contains("Transcript: "), text(open));
        call(client, "shell_run", Map.of("session_id", id, "command", "cd /var/tmp && export E2E=yes"));
        CallToolResult r = call(client, "shell_run", Map.of("session_id", id, "command", "echo $(whoami) $PWD $E2E"));
        assertFalse(r.isError(), text(r));
        assertTrue(text(r).endsWith("root /var/tmp yes"), text(r));
        CallToolResult failing = call(client, "shell_run", Map.of("session_id", id, "command", "ls /nonexistent"));
        assertTrue(failing.isError());
        assertEquals(2, ((Map<?, ?>) failing.structuredContent()).get("exit_code"));
        assertTrue(text(call(client, "shell_list", Map.of())).contains(id));
        assertFalse(call(client, "shell_close", Map.of("session_id", id)).isError());
        CallToolResult closed = call(client, "shell_run", Map.of("session_id", id, "command", "true"));
        assertTrue(closed.isError());
        assertTrue(text(closed).contains("shell_open"), text(closed));
    }

    @Test
    void tmuxFlowAsRootAcrossCalls() {
        String s = "e2e-" + ProcessHandle.current().pid();
        assertFalse(
                call(client, "tmux_new", Map.of("host", "fleet-2", "session", s, "command", "bash --noprofile --norc"))
                        .isError());
        try {
            assertTrue(
                    text(call(client, "tmux_list", Map.of("host", "fleet-2"))).contains(s), "a later call sees it");
            CallToolResult paste = call(
                    client,
                    "tmux_paste",
                    Map.of(
                            "host",
                            "fleet-2",
                            "target",
                            s,
                            "text",
                            "for i in 1 2 3; do echo \"row-$i $(id -un)\"; done",
                            "enter",
                            true));
            assertFalse(paste.isError(), text(paste));
            CallToolResult wait = call(
                    client,
                    "tmux_wait",
                    Map.of(
                            "host",
                            "fleet-2",
                            "target",
                            s,
                            "pattern",
                            "row-3 \\w+",
                            "regex",
                            true,
                            "timeout",
                            20,
                            "interval",
                            0.2));
            assertTrue(text(wait).startsWith("MATCHED"), text(wait));
            assertTrue(text(wait).contains("row-3 root"), text(wait));
            assertTrue(text(call(client, "tmux_capture", Map.of("host", "fleet-2", "target", s, "lines", 20)))
                    .contains("row-1 root"));
            CallToolResult keys =
                    call(client, "tmux_send_keys", Map.of("host", "fleet-2", "target", s, "keys", "echo hi"));
            assertTrue(keys.isError());
            assertTrue(text(keys).contains("tmux_paste"), text(keys));
            assertFalse(call(client, "tmux_send_keys", Map.of("host", "fleet-2", "target", s, "keys", "C-c"))
                    .isError());
        } finally {
            assertFalse(call(client, "tmux_kill", Map.of("host", "fleet-2", "target", s))
                    .isError());
        }
        CallToolResult gone = call(client, "tmux_capture", Map.of("host", "fleet-2", "target", s));
        assertTrue(gone.isError());
        assertTrue(text(gone).contains("sudo: false"), text(gone));
    }
}
