package io.github.sshfleet.e2e;

import static io.github.sshfleet.testing.JarServer.call;
import static io.github.sshfleet.testing.JarServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped JAR, a real MCP client (the SDK's), and the real sshd fleet. */
@RequiresSshd
class ServerE2ETest {

    @TempDir
    static Path tmp;

    static SshdFleet sshd;
    static McpSyncClient client;

    @BeforeAll
    static void start() throws Exception {
        sshd = SshdFleet.get();
        // fleet-3's address is left free for add_host.
        String hosts = sshd.standardHosts()
                .lines()
                .filter(l -> !l.startsWith("fleet-3"))
                .collect(Collectors.joining("\n", "", "\n"));
        Path config = sshd.writeConfig(tmp.resolve("cfg"), hosts, "");
        client = JarServer.client(config, tmp.resolve("home"));
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.closeGracefully();
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> results(CallToolResult r) {
        return io.github.sshfleet.testing.Folded.hosts(
                r.structuredContent()); // each host's row with its group's output
    }

    @Test
    void toolsListOffersTheFleetCoreToolsWithStrictSchemasAndHints() {
        List<McpSchema.Tool> tools = client.listTools().tools();
        Set<String> names = tools.stream().map(McpSchema.Tool::name).collect(Collectors.toSet());
        assertTrue(
                names.containsAll(Set.of(
                        "exec",
                        "sudo_exec",
                        "list_machines",
                        "add_host",
                        "reload_machines",
                        "read_file",
                        "write_file",
                        "upload",
                        "download",
                        "run_script")),
                names.toString());
        for (McpSchema.Tool t : tools) {
            assertEquals(
                    Boolean.FALSE, t.inputSchema().get("additionalProperties"), t.name() + " schema must be strict");
            assertTrue(t.description().length() > 40, t.name());
        }
        McpSchema.Tool list = tools.stream()
                .filter(t -> t.name().equals("list_machines"))
                .findFirst()
                .orElseThrow();
        assertEquals(Boolean.TRUE, list.annotations().readOnlyHint());
        McpSchema.Tool exec =
                tools.stream().filter(t -> t.name().equals("exec")).findFirst().orElseThrow();
        assertEquals(List.of("host", "command"), exec.inputSchema().get("required"));
        // Hints equal to the protocol's defaults (not read-only, destructive, open world) are left out to save
        // context: exec's would all be defaults, so it carries none.
        assertNull(exec.annotations(), "exec carries only default hints");
    }

    @Test
    void execOnTwoHostsInOneCall() {
        CallToolResult r =
                call(client, "exec", Map.of("host", List.of("fleet-1", "fleet-2"), "command", "id -un; echo warn >&2"));
        assertFalse(r.isError(), text(r));
        List<Map<String, Object>> res = results(r);
        assertEquals(2, res.size());
        assertEquals(SshdFleet.PW_USER + "\n", res.get(0).get("stdout"));
        assertEquals(SshdFleet.NP_USER + "\n", res.get(1).get("stdout"));
        assertEquals("warn\n", res.get(1).get("stderr"));
        assertTrue(text(r).contains("=== fleet-1") && text(r).contains("=== fleet-2"), text(r));
    }

    @Test
    void sudoExecWithPasswordAndWithNopasswd() {
        CallToolResult r = call(client, "sudo_exec", Map.of("host", "fleet-*", "command", "id -u; cat"));
        assertFalse(r.isError(), text(r));
        for (Map<String, Object> host : results(r)) {
            assertEquals("0\n", host.get("stdout"), host.toString());
        }
        assertFalse(text(r).contains(sshd.pwPassword));
    }

    @Test
    void nonZeroExitIsAnErrorResultWithTheOutput() {
        CallToolResult r = call(client, "exec", Map.of("host", "fleet-2", "command", "echo partial; exit 4"));
        assertTrue(r.isError());
        assertTrue(text(r).startsWith("exit_code: 4"), text(r));
        assertTrue(text(r).contains("partial"));
    }

    @Test
    void unknownHostAndBadArgumentsAreClearErrors() {
        CallToolResult unknown = call(client, "exec", Map.of("host", "web-7", "command", "true"));
        assertTrue(unknown.isError());
        assertTrue(
                text(unknown).contains("unknown host 'web-7'") && text(unknown).contains("known: fleet-1, fleet-2"),
                text(unknown));

        CallToolResult missing = call(client, "exec", Map.of("host", "fleet-1"));
        assertTrue(missing.isError());
        assertTrue(text(missing).contains("command"), text(missing));

        CallToolResult wrongType =
                call(client, "exec", Map.of("host", "fleet-1", "command", "true", "timeout", "soon"));
        assertTrue(wrongType.isError());
        assertTrue(text(wrongType).contains("timeout"), text(wrongType));

        CallToolResult extra = call(client, "exec", Map.of("host", "fleet-1", "command", "true", "sudo", true));
        assertTrue(extra.isError(), "strict schema: unknown arguments are refused");

        // and the server is still serving
        assertFalse(call(client, "exec", Map.of("host", "fleet-1", "command", "true"))
                .isError());
    }

    @Test
    void changedHostKeyIsRefusedAndExplained() throws Exception {
        Path dir = tmp.resolve("changed");
        Path config = sshd.writeConfig(dir, sshd.standardHosts(), "");
        // Record a different key for fleet-3, as if the machine had been replaced.
        Path other = dir.resolve("other_key");
        new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString())
                .start()
                .waitFor();
        String pub = Files.readString(Path.of(other + ".pub")).trim();
        Files.writeString(
                dir.resolve("known_hosts"),
                Files.readString(dir.resolve("known_hosts"))
                        .replaceAll(
                                "(?m)^\\[" + SshdFleet.ip(3).replace(".", "\\.") + "\\]:\\d+ .*$",
                                "[" + SshdFleet.ip(3) + "]:" + sshd.port + " " + pub.split(" ")[0] + " "
                                        + pub.split(" ")[1]));
        McpSyncClient c = JarServer.client(config, dir);
        try {
            CallToolResult r = call(c, "exec", Map.of("host", "fleet-3", "command", "true"));
            assertTrue(r.isError());
            assertTrue(text(r).contains("HOST KEY CHANGED") && text(r).contains("ssh-keygen -R"), text(r));
            assertFalse(
                    call(c, "exec", Map.of("host", "fleet-2", "command", "true"))
                            .isError(),
                    "other machines are unaffected");
        } finally {
            c.closeGracefully();
        }
    }

    @Test
    void droppedSessionThenNextCallSucceeds() throws Exception {
        assertFalse(call(client, "exec", Map.of("host", "fleet-2", "command", "true"))
                .isError());
        sshd.dropSessionsOf(SshdFleet.NP_USER);
        Thread.sleep(200);
        CallToolResult r = call(client, "exec", Map.of("host", "fleet-2", "command", "echo back"));
        assertFalse(r.isError(), text(r));
        assertEquals("back\n", results(r).get(0).get("stdout"));
    }

    @Test
    void sixteenConcurrentCalls() throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(16);
        try {
            List<Future<CallToolResult>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String host = "fleet-" + (1 + i % 2);
                int n = i;
                futures.add(ex.submit(() -> call(
                        client,
                        n % 4 < 2 ? "exec" : "sudo_exec",
                        Map.of("host", host, "command", "sleep 0.2; echo " + n))));
            }
            for (int i = 0; i < 16; i++) {
                CallToolResult r = futures.get(i).get();
                assertFalse(r.isError(), text(r));
                assertEquals(i + "\n", results(r).get(0).get("stdout"));
            }
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void addHostThenUseItThenReload() throws Exception {
        CallToolResult add = call(
                client,
                "add_host",
                Map.of(
                        "hostname",
                        "extra-1",
                        "ip",
                        SshdFleet.ip(3),
                        "port",
                        sshd.port,
                        "username",
                        SshdFleet.NP_USER,
                        "password",
                        sshd.npPassword,
                        "permanent",
                        false));
        assertFalse(add.isError(), text(add));
        CallToolResult r = call(client, "exec", Map.of("host", "extra-1", "command", "id -un"));
        assertFalse(r.isError(), text(r));
        CallToolResult clash = call(
                client, "add_host", Map.of("hostname", "fleet-1", "ip", "10.9.9.9", "username", "x", "password", "y"));
        assertTrue(clash.isError() && text(clash).contains("overwrite"), text(clash));
        CallToolResult list = call(client, "list_machines", Map.of());
        assertTrue(text(list).contains("extra-1") && text(list).contains("temporary"), text(list));
        assertFalse(text(list).contains(sshd.npPassword), "never a secret in list_machines");
        CallToolResult reload = call(client, "reload_machines", Map.of());
        assertFalse(reload.isError(), text(reload));
        assertTrue(text(call(client, "list_machines", Map.of())).contains("extra-1"), "temporaries survive reload");
    }
}
