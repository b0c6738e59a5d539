package io.github.sshfleet.e2e;

import static io.github.sshfleet.testing.Eventually.eventually;
import static io.github.sshfleet.testing.JarServer.call;
import static io.github.sshfleet.testing.JarServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.testing.ControlledSshd;
import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resilience repros through the shipped JAR: a host down and back, secrets and bad input in a debug run. */
@RequiresSshd
class ResilienceE2ETest {

    @TempDir
    Path tmp;

    McpSyncClient client;
    ControlledSshd chaos;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.closeGracefully();
        }
        if (chaos != null) {
            chaos.close();
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> results(CallToolResult r) {
        return io.github.sshfleet.testing.Folded.hosts(
                r.structuredContent()); // each host's row with its group's output
    }

    @Test
    void aHostDownThenBackNeverBreaksItOrTheFanOut() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        chaos = sshd.controlled("e2e-downup", List.of("127.0.2.9"));
        Path cfg = sshd.writeConfig(
                tmp.resolve("cfg"),
                sshd.standardHosts() + "chaos-1\t127.0.2.9:" + chaos.port() + "\t" + SshdFleet.NP_USER + ":"
                        + sshd.npPassword + "\n",
                "");
        Files.writeString(
                tmp.resolve("cfg/known_hosts"), chaos.knownHostsLines(sshd.hostKeyLine), StandardOpenOption.APPEND);
        client = JarServer.client(cfg, tmp.resolve("home"));
        chaos.stop();
        CallToolResult down = call(client, "exec", Map.of("host", "chaos-1", "command", "true"));
        assertTrue(down.isError());
        assertTrue(text(down).contains("connection refused"), text(down));

        CallToolResult all = call(client, "exec", Map.of("host", "all", "command", "echo ran"));
        assertTrue(text(all).startsWith("4 hosts: 3 ok, 1 failed"), text(all));
        assertFalse(text(all).contains("internal error"), text(all));
        assertEquals(4, results(all).size());
        assertEquals(
                3,
                results(all).stream()
                        .filter(h -> "ran\n".equals(h.get("stdout")))
                        .count());

        chaos.start();
        CallToolResult back = eventually(
                Duration.ofSeconds(5),
                () -> call(client, "exec", Map.of("host", "chaos-1", "command", "echo back")),
                r -> !r.isError(),
                "chaos-1 usable again");
        assertTrue(text(back).contains("back"), text(back));
        assertTrue(text(call(client, "list_machines", Map.of())).contains("connected"));
    }

    @Test
    void idleForwardsLeaveCommandSlotsAndAnOversizeCommandIsRefusedWithoutHarm() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        client = JarServer.client(sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts(), ""), tmp.resolve("home"));
        for (int i = 0; i < 8; i++) {
            assertOk(call(
                    client,
                    "forward_start",
                    Map.of("host", "fleet-2", "local_port", 0, "remote_host", "127.0.0.1", "remote_port", 9)));
        }
        assertOk(call(client, "exec", Map.of("host", "fleet-2", "command", "echo free")));
        CallToolResult huge = call(client, "exec", Map.of("host", "fleet-2", "command", "echo " + "x".repeat(1 << 20)));
        assertTrue(huge.isError());
        assertTrue(text(huge).contains("run_script") && text(huge).length() < 4_000, text(huge));
        CallToolResult after = call(client, "exec", Map.of("host", "fleet-2", "command", "echo still"));
        assertOk(after);
        assertTrue(text(call(client, "forward_list", Map.of())).contains("fwd-8"), "the forwards survived");
    }

    static void assertOk(CallToolResult r) {
        assertFalse(r.isError(), text(r));
    }

    @Test
    void noSecretOrFileContentInADebugLogAndBadInputStaysSmall() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        String hosts = sshd.standardHosts()
                .lines()
                .filter(l -> !l.startsWith("fleet-3"))
                .reduce("", (a, b) -> a + b + "\n");
        Path cfg = sshd.writeConfig(tmp.resolve("cfg"), hosts, "");
        ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
        client = JarServer.client(
                cfg, tmp.resolve("home"), p -> {}, List.of(), Map.of("SSH_FLEET_LOG", "debug"), log::add);
        String content = "file-Content-" + System.nanoTime();
        String envSecret = "env-Secret-" + System.nanoTime();
        assertOk(call(
                client,
                "add_host",
                Map.of(
                        "hostname",
                        "added",
                        "ip",
                        SshdFleet.ip(3),
                        "port",
                        sshd.port,
                        "username",
                        SshdFleet.NP_USER,
                        "password",
                        sshd.npPassword,
                        "permanent",
                        false)));
        assertOk(call(
                client,
                "write_file",
                Map.of("host", "added", "remote_path", "/tmp/ssh-fleet-e2e-" + System.nanoTime(), "content", content)));
        assertOk(call(
                client,
                "run_script",
                Map.of("host", "added", "script", "echo $TOKEN", "sudo", false, "env", Map.of("TOKEN", envSecret))));
        // fleet-1's command prints fleet-2's password: every known machine secret is masked, not only the target's.
        CallToolResult other = call(client, "exec", Map.of("host", "fleet-1", "command", "echo " + sshd.npPassword));
        assertEquals("********\n", results(other).get(0).get("stdout"));

        CallToolResult bad = call(client, "exec", Map.of("host", "h".repeat(10 << 20), "command", "true"));
        assertTrue(bad.isError());
        assertTrue(
                text(bad).length() < 4_000,
                "a 10 MB bad argument came back as " + text(bad).length() + " chars");

        client.closeGracefully();
        client = null;
        String all = String.join("\n", log);
        assertTrue(all.contains("DEBUG"), "the log is at debug level");
        for (String secret : List.of(sshd.npPassword, sshd.pwPassword, content, envSecret)) {
            assertFalse(all.contains(secret), "a secret or file content is in the debug log");
        }
        // The audit trail saw the same calls (add_host's password, the file, the env value, a command that names
        // another machine's password): none of them is written there either.
        StringBuilder audit = new StringBuilder();
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(
                tmp.resolve("home").resolve(".ssh-fleet").resolve("audit"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".jsonl")).toList()) {
                audit.append(java.nio.file.Files.readString(f));
            }
        }
        assertTrue(audit.toString().contains("\"tool\":\"add_host\""), "the calls were audited");
        for (String secret : List.of(sshd.npPassword, sshd.pwPassword, content, envSecret)) {
            assertFalse(audit.toString().contains(secret), "a secret or file content is in the audit trail");
        }
    }
}
