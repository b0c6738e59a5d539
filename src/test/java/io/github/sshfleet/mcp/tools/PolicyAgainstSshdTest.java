package io.github.sshfleet.mcp.tools;

import static io.github.sshfleet.testing.Eventually.eventually;
import static io.github.sshfleet.testing.ToolCalls.byHost;
import static io.github.sshfleet.testing.ToolCalls.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.testing.ControlledSshd;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.Folded;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.github.sshfleet.testing.ToolCalls;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * policy: against real OpenSSH. fleet-1 and a host the test stops are readonly, fleet-2 is restricted, every other
 * machine is full with a deny rule. Each refusal is checked on the host itself: what was refused left no trace.
 */
@RequiresSshd
class PolicyAgainstSshdTest {

    @TempDir
    static Path tmp;

    static SshdFleet sshd;
    static ControlledSshd flaky;
    static FleetServices fleet;
    static String writable;

    @BeforeAll
    static void start() throws Exception {
        sshd = SshdFleet.get();
        flaky = sshd.controlled("pol-" + System.nanoTime(), List.of("127.0.2.42"));
        writable = "/tmp/ssh-fleet-policy-" + Tokens.next();
        String hosts = sshd.standardHosts() + "pol-flaky\t" + flaky.ips().get(0) + ":" + flaky.port() + "\t"
                + SshdFleet.NP_USER + ":" + sshd.npPassword + "\n";
        Path cfg = sshd.writeConfig(tmp.resolve("cfg"), hosts, """
                policy:
                  - machines: [fleet-1, pol-flaky]
                    mode: readonly
                  - machines: fleet-2
                    mode: restricted
                    allow: ["uname -s", "id -un", "mkdir -p *"]
                    deny: ["rm"]
                    write_paths: ["%s"]
                  - machines: "*"
                    mode: full
                    deny: ["touch"]
                """.formatted(writable));
        Files.writeString(
                tmp.resolve("cfg").resolve("known_hosts"),
                flaky.knownHostsLines(sshd.hostKeyLine),
                StandardOpenOption.APPEND);
        fleet = Fleets.open(cfg, tmp);
        assertTrue(root("mkdir -p " + writable + " && chmod 0777 " + writable).isEmpty());
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            root("rm -rf " + writable);
            fleet.close();
        }
        if (flaky != null) {
            flaky.close();
        }
    }

    static CallToolResult call(String tool, Object... kv) {
        return ToolCalls.call(fleet, tool, kv);
    }

    /** The refusal's text: thrown by a single-host tool, or the host's own section of an exec result. */
    static String refused(String tool, Object... kv) {
        CallToolResult r;
        try {
            r = call(tool, kv);
        } catch (FleetException e) {
            assertEquals(Kind.POLICY, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("Nothing ran on"), e.getMessage());
            return e.getMessage();
        }
        assertTrue(r.isError(), tool + " ran: " + text(r));
        assertTrue(text(r).contains("refused on") && text(r).contains("Nothing ran on"), text(r));
        Folded.hosts(r.structuredContent()).forEach(h -> assertEquals("policy", h.get("error"), text(r)));
        return text(r);
    }

    static String root(String command) {
        return ToolCalls.asRoot(fleet, "fleet-3", command);
    }

    static boolean exists(String path) {
        return ToolCalls.exists(fleet, "fleet-3", path);
    }

    @Test
    void aFanOutDecidesPerHostAndRunsWhatIsAllowed() {
        CallToolResult r = call("exec", "host", List.of("fleet-1", "fleet-2", "fleet-3"), "command", "uname -s");
        Map<String, Map<String, Object>> rows = byHost(r);
        assertEquals("policy", rows.get("fleet-1").get("error"), text(r));
        assertEquals("Linux\n", rows.get("fleet-2").get("stdout"), text(r));
        assertEquals("Linux\n", rows.get("fleet-3").get("stdout"), text(r));
        assertTrue(text(r).contains("policy entry 1 (machines: fleet-1, pol-flaky; mode readonly)"), text(r));
        assertTrue(text(r).contains("Nothing ran on fleet-1"), text(r));
    }

    @Test
    void aRefusedCommandLeavesNoTraceOnTheHost() {
        String marker = writable + "/marker-" + Tokens.next();
        // restricted: not allowed; full with deny touch: denied, also when hidden behind && (fail closed)
        refused("exec", "host", "fleet-2", "command", "touch " + marker);
        refused("sudo_exec", "host", "fleet-2", "command", "rm -rf " + writable);
        refused("exec", "host", "fleet-3", "command", "touch " + marker);
        refused("exec", "host", "fleet-3", "command", "cd /tmp && touch " + marker);
        refused("execute_command_async", "host", "fleet-3", "command", "touch " + marker);
        refused("run_script", "host", "fleet-2", "script", "touch " + marker);
        refused("tmux_new", "host", "fleet-1", "session", "pol", "command", "touch " + marker);
        String shell = (String) ((Map<?, ?>)
                        call("shell_open", "host", "fleet-3", "sudo", false).structuredContent())
                .get("session_id");
        try {
            refused("shell_run", "session_id", shell, "command", "touch " + marker);
            String ran = text(call("shell_run", "session_id", shell, "command", "echo ok"));
            assertTrue(ran.contains("exit_code: 0") && ran.contains("\nok"), ran);
        } finally {
            call("shell_close", "session_id", shell);
        }
        // Allowed words, but env could point PATH elsewhere; keys could re-run a pane's history.
        String env = refused("exec", "host", "fleet-2", "command", "uname -s", "env", Map.of("PATH", writable));
        assertTrue(env.contains("env (PATH)"), env);
        refused("tmux_send_keys", "host", "fleet-2", "target", "any", "keys", "Up Enter");
        assertFalse(exists(marker), "a refused command reached a host");
        assertTrue(exists(writable), "a refused rm reached a host");
        // What the entry allows runs, with its operands (a last '*').
        CallToolResult ok = call("exec", "host", "fleet-2", "command", "mkdir -p " + writable + "/sub");
        assertFalse(ok.isError(), text(ok));
        assertTrue(exists(writable + "/sub"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void listMachinesShowsEachMachinesMode() {
        CallToolResult r = call("list_machines");
        assertTrue(text(r).contains("policy=readonly"), text(r));
        Map<String, Object> s = (Map<String, Object>) r.structuredContent();
        Map<String, Map<String, Object>> rows = ((List<Map<String, Object>>) s.get("machines"))
                .stream().collect(Collectors.toMap(m -> (String) m.get("name"), m -> m));
        assertEquals(Map.of("mode", "readonly", "entry", 1), rows.get("fleet-1").get("policy"));
        assertEquals(
                Map.of("mode", "restricted", "entry", 2), rows.get("fleet-2").get("policy"));
        assertEquals(Map.of("mode", "full", "entry", 3), rows.get("fleet-3").get("policy"));
    }

    @Test
    void aReadonlyHostReadsAndRefusesEverythingElse() {
        assertFalse(
                call("exec_readonly", "host", "fleet-1", "command", "uname -s").isError());
        assertFalse(call("list_dir", "host", "fleet-1", "path", "/tmp").isError());
        assertFalse(call("read_file", "host", "fleet-1", "remote_path", "/etc/hostname")
                .isError());
        String target = writable + "/ro-" + Tokens.next();
        String w = refused("write_file", "host", "fleet-1", "remote_path", target, "content", "x");
        assertTrue(w.contains("exec_readonly, read_file, list_dir"), w);
        refused("exec", "host", "fleet-1", "command", "uname -s");
        refused("shell_open", "host", "fleet-1");
        refused("run_script", "host", "fleet-1", "script", "echo hi");
        assertFalse(exists(target));
    }

    @Test
    void restrictedWritesOnlyUnderWritePaths() {
        String inside = writable + "/in-" + Tokens.next();
        assertFalse(call("write_file", "host", "fleet-2", "remote_path", inside, "content", "x\n")
                .isError());
        assertEquals("x", root("cat " + inside));
        String escape = writable + "/../ssh-fleet-policy-escape-" + Tokens.next();
        String e = refused("write_file", "host", "fleet-2", "remote_path", escape, "content", "x");
        assertTrue(e.contains("outside write_paths"), e);
        assertFalse(exists(escape));
    }

    @Test
    void aStoppedHostIsRefusedAtOnceAndServedAgainWhenItReturns() throws Exception {
        flaky.stop();
        try {
            long t0 = System.nanoTime();
            refused("exec", "host", "pol-flaky", "command", "uname -s");
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 1000, "the policy answers before any connect");
            CallToolResult down = call("exec_readonly", "host", List.of("pol-flaky", "fleet-3"), "command", "id -un");
            assertEquals("unreachable", byHost(down).get("pol-flaky").get("error"), text(down));
            assertEquals(SshdFleet.NP_USER + "\n", byHost(down).get("fleet-3").get("stdout"), text(down));
        } finally {
            flaky.start();
        }
        eventually(
                Duration.ofSeconds(10),
                () -> call("exec_readonly", "host", "pol-flaky", "command", "id -un"),
                r -> (SshdFleet.NP_USER + "\n")
                        .equals(byHost(r).get("pol-flaky").get("stdout")),
                "pol-flaky is served again");
        refused("exec", "host", "pol-flaky", "command", "uname -s"); // and its policy still holds
    }
}
