package io.github.sshfleet.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.mcp.tools.ToolCatalog;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run_script against real sshd: staging, quoting, secrets, cleanup, tmux. */
@RequiresSshd
class ScriptRunnerTest {

    static SshdFleet sshd;
    static FleetServices fleet;
    static ToolHandler runScript;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        sshd = SshdFleet.get();
        fleet = Fleets.open(sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts(), ""), tmp);
        runScript = ToolCatalog.find(fleet, "run_script");
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static CallToolResult call(Object... kv) {
        Map<String, Object> args = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            args.put((String) kv[i], kv[i + 1]);
        }
        return runScript.call(new Args("run_script", args), Progress.NONE);
    }

    static String text(CallToolResult r) {
        return ((TextContent) r.content().get(0)).text();
    }

    static String stdout(CallToolResult r) {
        return (String) ((Map<?, ?>) ((List<?>) ((Map<?, ?>) r.structuredContent()).get("results")).get(0))
                .get("stdout");
    }

    static String root(String command) {
        CommandResult r =
                fleet.runner().run(fleet.machines().one("fleet-2"), command, Duration.ofSeconds(30), true, 1 << 20);
        assertTrue(r.ok(), () -> "command failed: " + command + " -> " + r);
        return r.stdout().strip();
    }

    static String runnerFiles() {
        return root("ls /tmp | grep ssh-fleet-runner || true");
    }

    @Test
    void bodyNeedsNoEscaping() {
        String script = """
                NAME='it'"'"'s'
                echo "double \\"quoted\\" $NAME"
                echo 'single $NOT_EXPANDED `not run`'
                echo "backticks: `echo run`, dollar-paren: $(echo also)"
                cat <<'EOF'
                heredoc keeps $HOME and `backticks` literal
                EOF
                cat <<EOF
                heredoc expands: $NAME
                EOF
                printf '%s\\n' "whoami=$(whoami)"
                """;
        CallToolResult r = call("host", "fleet-1", "script", script);
        assertFalse(r.isError(), text(r));
        assertEquals("""
                double "quoted" it's
                single $NOT_EXPANDED `not run`
                backticks: run, dollar-paren: also
                heredoc keeps $HOME and `backticks` literal
                heredoc expands: it's
                whoami=root
                """, stdout(r));
        CallToolResult plain = call("host", "fleet-1", "script", "whoami; exit 3", "sudo", false);
        assertTrue(plain.isError());
        assertTrue(text(plain).contains("exit_code: 3"), text(plain));
        assertEquals(SshdFleet.PW_USER + "\n", stdout(plain));
        assertEquals("", runnerFiles(), "runner, body and env files are removed when the script exits");
    }

    @Test
    void envNamesLikePathChangeTheScriptOnlyNeverTheLauncher() {
        String secret = "pw-" + Tokens.next();
        // PATH pointing nowhere used to break the launcher itself: exit 127 and the secret .env file left in /tmp.
        CallToolResult r = call(
                "host",
                "fleet-2",
                "script",
                "if command -v ls >/dev/null; then echo has-ls; " + "else echo no-ls; fi; echo \"x=$WIZ\"",
                "env",
                Map.of("PATH", "/nonexistent", "WIZ", secret),
                "sudo",
                false);
        assertFalse(r.isError(), text(r));
        assertEquals("no-ls\nx=********\n", stdout(r), "the script saw its PATH; the launcher kept its own");
        assertEquals("", runnerFiles(), "runner, body and env files are removed");
        CallToolResult withLog = call(
                "host",
                "fleet-2",
                "script",
                "echo logged",
                "env",
                Map.of("PATH", "/x"),
                "sudo",
                false,
                "log_path",
                "/tmp/ssh-fleet-test-envlog-" + Tokens.next());
        assertFalse(withLog.isError(), text(withLog));
        assertEquals("logged\n", stdout(withLog));
        assertEquals("", runnerFiles());
        FleetException readOnly = org.junit.jupiter.api.Assertions.assertThrows(
                FleetException.class, () -> call("host", "fleet-2", "script", "true", "env", Map.of("SHELLOPTS", "x")));
        assertTrue(readOnly.getMessage().contains("read-only in bash"), readOnly.getMessage());
    }

    @Test
    void envSecretNeverInAnyArgvNorInTheResult() throws Exception {
        String secret = "s3cret-" + Tokens.next();
        CompletableFuture<CallToolResult> running = CompletableFuture.supplyAsync(() -> call(
                "host",
                "fleet-1",
                "script",
                "echo \"len=${#WIZ_PASS}\"; echo \"leak: $WIZ_PASS\"; sleep 3; echo done",
                "env",
                Map.of("WIZ_PASS", secret)));
        List<String> seen = new ArrayList<>();
        int scans = 0;
        // The sshd fleet is on this machine: every process's argv is visible in /proc while the script runs.
        while (!running.isDone()) {
            seen.addAll(argvContaining(secret));
            scans++;
            Thread.sleep(20);
        }
        CallToolResult r = running.get();
        assertTrue(scans > 10, "the scan ran while the script did");
        assertEquals(List.of(), seen, "secret visible in a command line");
        assertFalse(text(r).contains(secret), text(r));
        assertTrue(stdout(r).startsWith("len=" + secret.length() + "\nleak: ********\n"), stdout(r));
        assertEquals("", runnerFiles());
    }

    static List<String> argvContaining(String secret) throws IOException {
        List<String> hits = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                if (!p.getFileName().toString().matches("\\d+")) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmd.contains(secret)) {
                        hits.add(p + ": " + cmd.replace('\0', ' '));
                    }
                } catch (IOException gone) {
                    // process exited meanwhile
                }
            }
        }
        return hits;
    }

    @Test
    void timeoutStopsTheScriptAndCleansUp() {
        // A unique argv to look for: the body itself is in a file, so only the sleep shows it.
        String sleep = "sleep 300." + Math.abs(new java.util.Random().nextInt(1_000_000));
        CallToolResult r = call("host", "fleet-2", "script", sleep, "timeout", 1);
        assertTrue(r.isError());
        assertTrue(text(r).contains("TIMED OUT"), text(r));
        assertEquals("", root("pgrep -fx '" + sleep + "' || true"), "the script was killed");
        assertEquals("", runnerFiles());
    }

    @Test
    void keepScriptKeepsTheRunner() {
        CallToolResult r =
                call("host", "fleet-2", "script", "echo kept", "keep_script", true, "env", Map.of("A_VALUE", "x"));
        assertFalse(r.isError(), text(r));
        String left = runnerFiles();
        try {
            assertEquals(2, left.lines().count(), "runner and body stay; the env file never does: " + left);
            assertFalse(left.contains(".env"), left);
        } finally {
            root("rm -f /tmp/ssh-fleet-runner-*");
        }
    }

    @Test
    void tmuxLaunchReturnsAtOnceAndLogsWithExitMarker() throws Exception {
        String session = "sf-" + Tokens.next().substring(0, 8);
        String log = "/tmp/" + session + ".log";
        try {
            CallToolResult r = call(
                    "host",
                    "fleet-1",
                    "script",
                    "echo started; sleep 2; echo finished; exit 4",
                    "tmux_session",
                    session,
                    "log_path",
                    log);
            assertFalse(r.isError(), text(r));
            assertTrue(text(r).contains("tmux_capture"), text(r));
            // Still running after the call returned: the session exists and the log has no EXIT line yet.
            assertEquals(session, root("tmux ls -F '#{session_name}' | grep -x " + session));
            assertFalse(root("cat " + log + " 2>/dev/null || true").contains("EXIT"));
            String content = "";
            for (int i = 0; i < 100 && !content.contains("[ssh-fleet] EXIT"); i++) {
                Thread.sleep(100);
                content = root("cat " + log);
            }
            assertEquals("started\nfinished\n[ssh-fleet] EXIT 4", content);
            assertEquals("600", root("stat -c %a " + log), "the log is private");
            // The hint names a call that can read that root-owned 0600 log; try it as written.
            assertTrue(text(r).contains("sudo_exec(host=\"fleet-1\", command=\"tail -n 50 '" + log + "'\")"), text(r));
            CommandResult tail = fleet.runner()
                    .run(
                            fleet.machines().one("fleet-1"),
                            "tail -n 50 '" + log + "'",
                            Duration.ofSeconds(10),
                            true,
                            4096);
            assertTrue(tail.stdout().contains("[ssh-fleet] EXIT 4"), tail.toString());
            FleetException clash = org.junit.jupiter.api.Assertions.assertThrows(FleetException.class, () -> {
                root("tmux new-session -d -s " + session + "-b 'sleep 30'");
                call("host", "fleet-1", "script", "true", "tmux_session", session + "-b");
            });
            assertEquals(FleetException.Kind.CONFLICT, clash.kind());
        } finally {
            root("tmux kill-session -t " + session + "-b 2>/dev/null; rm -f " + log + "; true");
        }
        assertEquals("", runnerFiles());
    }
}
