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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail through the shipped JAR: on by default under ~/.ssh-fleet/audit, a start and an end line per call
 * with the client's name and each host's outcome (a policy refusal included), no env value or file content in it,
 * and `audit verify` that passes the chain as written and fails it after one edit.
 */
@RequiresSshd
class AuditE2ETest {

    @TempDir
    Path tmp;

    record Result(int code, String out) {}

    Result verify(Path home, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("audit", "verify"));
        args.addAll(List.of(more));
        ProcessBuilder pb =
                new ProcessBuilder(JarServer.command(args.toArray(String[]::new))).redirectErrorStream(true);
        pb.environment().remove("SSH_FLEET_CONFIG");
        pb.environment().putAll(JarServer.env(tmp.resolve("cfg").resolve("config.yaml"), home));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    @Test
    void everyCallIsRecordedWithoutItsSecretsAndTheChainIsVerifiable() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path config = sshd.writeConfig(
                tmp.resolve("cfg"), sshd.standardHosts(), "policy:\n  - machines: fleet-2\n    mode: readonly\n");
        McpSyncClient client = JarServer.client(config, home);
        String target = "/tmp/ssh-fleet-audit-" + System.nanoTime();
        try {
            CallToolResult env = call(
                    client,
                    "exec",
                    Map.of(
                            "host",
                            "fleet-1",
                            "command",
                            "test -n \"$API_TOKEN\"",
                            "env",
                            Map.of("API_TOKEN", "tok-9f8e7d6c")));
            assertFalse(env.isError(), text(env));
            CallToolResult mixed =
                    call(client, "exec", Map.of("host", List.of("fleet-1", "fleet-2"), "command", "true"));
            assertTrue(mixed.isError(), "fleet-2 is refused: " + text(mixed));
            CallToolResult write = call(
                    client,
                    "write_file",
                    Map.of("host", "fleet-3", "remote_path", target, "content", "file-body-5a4b3c\n"));
            assertFalse(write.isError(), text(write));
            call(client, "exec", Map.of("host", "fleet-3", "command", "rm -f " + target));
        } finally {
            client.closeGracefully();
        }

        Path dir = home.resolve(".ssh-fleet").resolve("audit");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".jsonl"))
                    .sorted()
                    .toList(); // beside them only the .lock file that serializes writers
        }
        assertEquals(1, files.size(), files.toString());
        String log = Files.readString(files.get(0));
        assertEquals(8, log.lines().count(), log);
        assertFalse(log.contains("tok-9f8e7d6c") || log.contains("file-body-5a4b3c"), log);
        assertTrue(log.contains("\"env_names\":[\"API_TOKEN\"]"), log);
        assertTrue(
                log.contains("{\"host\":\"fleet-2\",\"exit_code\":null,\"error\":\"policy\"}")
                        || log.contains("{\"host\":\"fleet-2\",\"error\":\"policy\"}"),
                log);
        assertTrue(log.contains("\"client\":\""), log);

        Result ok = verify(home);
        assertEquals(0, ok.code(), ok.out());
        assertTrue(ok.out().startsWith("ok: 8 lines in 1 file"), ok.out());

        Files.writeString(files.get(0), log.replaceFirst("\"command\":\"true\"", "\"command\":\"false\""));
        Result broken = verify(home, dir.toString());
        assertEquals(1, broken.code(), broken.out());
        assertTrue(
                broken.out().startsWith("BROKEN: " + files.get(0).getFileName() + " line 4 does not follow"),
                broken.out());
    }

    @Test
    void twoServersSharingOneHomeWriteOneChain() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        Path home = Files.createDirectories(tmp.resolve("shared-home"));
        Path config = sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts(), "");
        McpSyncClient a = JarServer.client(config, home); // as Claude Code and Codex, each with its own server
        McpSyncClient b = JarServer.client(config, home);
        try {
            for (int i = 0; i < 10; i++) {
                assertFalse(call(a, "exec", Map.of("host", "fleet-2", "command", "true"))
                        .isError());
                assertFalse(call(b, "exec", Map.of("host", "fleet-3", "command", "true"))
                        .isError());
            }
        } finally {
            a.closeGracefully();
            b.closeGracefully();
        }
        Result ok = verify(home);
        assertEquals(0, ok.code(), ok.out());
        assertTrue(ok.out().startsWith("ok: 40 lines in 1 file"), ok.out());
    }
}
