package io.github.sshfleet.mcp.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** exec's cwd, env and tty against real sshd; env values never in any argv on the host. */
@RequiresSshd
class ExecKnobsTest {

    @TempDir
    static Path tmp;

    static FleetServices fleet;

    @BeforeAll
    static void start() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        fleet = Fleets.open(sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts(), ""), tmp);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static Map<String, Object> run(boolean sudo, Object... kv) {
        Map<String, Object> a = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            a.put((String) kv[i], kv[i + 1]);
        }
        CallToolResult r = sudo
                ? ExecTool.sudoExec(fleet).call(new Args("sudo_exec", a), Progress.NONE)
                : ExecTool.exec(fleet).call(new Args("exec", a), Progress.NONE);
        @SuppressWarnings("unchecked")
        Map<String, Object> row =
                ((List<Map<String, Object>>) ((Map<String, Object>) r.structuredContent()).get("results")).get(0);
        return row;
    }

    @Test
    void cwdRunsThereAndAMissingOneFailsClearly() {
        assertEquals(
                "/tmp\n",
                run(false, "host", "fleet-2", "command", "pwd", "cwd", "/tmp").get("stdout"));
        Map<String, Object> missing = run(false, "host", "fleet-2", "command", "echo never", "cwd", "/nonexistent-x");
        assertEquals(1, missing.get("exit_code"));
        assertEquals("", missing.get("stdout"));
        assertTrue(((String) missing.get("stderr")).contains("cwd /nonexistent-x does not exist"), missing.toString());
        assertEquals(
                "/var\n",
                run(true, "host", "fleet-1", "command", "pwd", "cwd", "/var").get("stdout"),
                "sudo_exec too");
    }

    @Test
    void envValuesReachTheCommandButNoArgvAndAreMasked() throws Exception {
        String secret = "envsecret-" + Tokens.next();
        CompletableFuture<Map<String, Object>> running = CompletableFuture.supplyAsync(() -> run(
                false,
                "host",
                "fleet-2",
                "command",
                "echo \"len=${#WIZ} v=$WIZ\"; sleep 2",
                "env",
                Map.of("WIZ", secret)));
        boolean seen = false;
        int scans = 0;
        while (!running.isDone()) { // the hosts are this machine: every process's argv is in /proc
            seen |= argvContains(secret);
            scans++;
        }
        assertTrue(scans > 3, "scanned while it ran");
        assertFalse(seen, "the env value appeared in some process's argv");
        Map<String, Object> r = running.get();
        assertEquals("len=" + secret.length() + " v=********\n", r.get("stdout"));
        try (Stream<Path> s = Files.list(Path.of("/tmp"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("ssh-fleet-env-")), "env file removed");
        }
        FleetException bad = assertThrows(
                FleetException.class,
                () -> run(false, "host", "fleet-2", "command", "true", "env", Map.of("1BAD", "x")));
        assertEquals(FleetException.Kind.BAD_ARGUMENT, bad.kind());
    }

    @Test
    void ttyGivesAPtyWithMergedStreamsAndIsRefusedWithSudo() {
        Map<String, Object> r =
                run(false, "host", "fleet-2", "command", "tty -s && echo has-tty; echo err >&2", "tty", true);
        assertTrue(
                ((String) r.get("stdout")).contains("has-tty") && ((String) r.get("stdout")).contains("err"),
                r.toString());
        assertEquals(
                "",
                run(false, "host", "fleet-2", "command", "tty -s && echo has-tty")
                        .get("stdout"));
        assertThrows(
                FleetException.class,
                () -> ExecTool.sudoExec(fleet)
                        .call(
                                new Args("sudo_exec", Map.of("host", "fleet-2", "command", "true", "tty", true)),
                                Progress.NONE));
    }

    static boolean argvContains(String needle) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try {
                    if (new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).contains(needle)) {
                        return true;
                    }
                } catch (Exception gone) {
                    // the process ended meanwhile
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return false;
    }
}
