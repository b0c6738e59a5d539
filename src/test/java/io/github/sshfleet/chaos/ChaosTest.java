package io.github.sshfleet.chaos;

import static io.github.sshfleet.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.forward.Forwards;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.mcp.tools.ToolCatalog;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.ssh.RunningCommand;
import io.github.sshfleet.testing.ControlledSshd;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet is always partly broken: hosts that go down and come back, restart under open sessions, freeze (SIGSTOP),
 * refuse the password, or get a request too big for OpenSSH. Real sshd daemons owned by each test; every fan-out
 * must still return every host's own result, and the pool must recover by itself.
 */
@RequiresSshd
class ChaosTest {

    @TempDir
    Path tmp;

    final List<AutoCloseable> open = new ArrayList<>();
    SshdFleet sshd;
    FleetServices fleet;

    @AfterEach
    void close() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    ControlledSshd host(String name, String... ips) throws Exception {
        sshd = SshdFleet.get();
        ControlledSshd c = sshd.controlled(name + "-" + System.nanoTime(), List.of(ips));
        open.add(c);
        return c;
    }

    /** The standard fleet plus {@code extraHosts} lines, with known_hosts entries for the controlled daemons. */
    FleetServices open(String extraHosts, String yaml, ControlledSshd... daemons) throws Exception {
        sshd = SshdFleet.get();
        Path cfg = sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts() + extraHosts, yaml);
        for (ControlledSshd d : daemons) {
            Files.writeString(
                    tmp.resolve("cfg").resolve("known_hosts"),
                    d.knownHostsLines(sshd.hostKeyLine),
                    StandardOpenOption.APPEND);
        }
        fleet = Fleets.open(cfg, tmp);
        return fleet;
    }

    String line(String name, ControlledSshd d, int ipIndex, String password) {
        return name + "\t" + d.ips().get(ipIndex) + ":" + d.port() + "\t" + SshdFleet.NP_USER + ":" + password + "\n";
    }

    CommandResult run(String host, String command) {
        Machine m = fleet.machines().one(host);
        return fleet.runner().run(m, command, Duration.ofSeconds(20), false, 64 * 1024);
    }

    static CallToolResult call(ToolHandler t, Object... kv) {
        Map<String, Object> a = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            a.put((String) kv[i], kv[i + 1]);
        }
        return t.call(new Args(t.spec().name(), a), Progress.NONE);
    }

    static String text(CallToolResult r) {
        return ((TextContent) r.content().get(0)).text();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> results(CallToolResult r) {
        return io.github.sshfleet.testing.Folded.hosts(
                r.structuredContent()); // each host's row with its group's output
    }

    @Test
    void aHostThatWasDownIsUsableAgainWhenItComesBack() throws Exception {
        ControlledSshd d = host("downup", "127.0.2.1");
        open(line("chaos-1", d, 0, SshdFleet.get().npPassword), "");
        assertEquals(0, run("chaos-1", "true").exitCode());
        d.stop();
        CommandResult down = run("chaos-1", "true");
        assertEquals(Kind.UNREACHABLE, down.failure().kind(), down.failure().getMessage());
        assertTrue(
                down.failure().getMessage().contains("connection refused"),
                down.failure().getMessage());

        // Inside the back-off the remembered error comes at once and says when the host is tried again.
        long t0 = System.nanoTime();
        CommandResult remembered = run("chaos-1", "true");
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 500, "a remembered failure answers at once");
        assertTrue(
                remembered.failure().getMessage().contains("connects again on the first call after"),
                remembered.failure().getMessage());
        String listed = text(call(ToolCatalog.find(fleet, "list_machines")));
        assertTrue(listed.contains("chaos-1") && listed.contains("failed (unreachable)"), listed);

        d.start();
        long up = System.nanoTime();
        CommandResult back = eventually(
                Duration.ofSeconds(5),
                () -> run("chaos-1", "echo back"),
                r -> r.exitCode() != null && r.exitCode() == 0,
                "chaos-1 usable again");
        System.err.println("host back in service " + (System.nanoTime() - up) / 1_000_000 + " ms after sshd restarted");
        assertEquals("back\n", back.stdout());
        assertTrue(text(call(ToolCatalog.find(fleet, "list_machines"))).contains("connected"));
    }

    @Test
    void reloadMachinesRetriesAFailedHostAtOnce() throws Exception {
        ControlledSshd d = host("reload", "127.0.2.2");
        open(line("chaos-1", d, 0, SshdFleet.get().npPassword), "");
        d.stop();
        assertEquals(Kind.UNREACHABLE, run("chaos-1", "true").failure().kind());
        d.start();
        call(ToolCatalog.find(fleet, "reload_machines"));
        assertEquals(0, run("chaos-1", "true").exitCode(), "no back-off wait after reload_machines");
    }

    @Test
    void aFanOutWithADownHostReturnsEveryHostsOwnResult() throws Exception {
        ControlledSshd d = host("fanout", "127.0.2.3");
        open(line("chaos-1", d, 0, SshdFleet.get().npPassword), "");
        d.stop();
        assertEquals(Kind.UNREACHABLE, run("chaos-1", "true").failure().kind()); // repro: one failed connect first
        for (Object hosts : List.of("all", List.of("chaos-1", "fleet-2", "fleet-3"))) {
            CallToolResult r = call(ToolCatalog.find(fleet, "exec"), "host", hosts, "command", "echo ran");
            String t = text(r);
            assertTrue(r.isError());
            assertTrue(t.startsWith("4 hosts: 3 ok, 1 failed") || t.startsWith("3 hosts: 2 ok, 1 failed"), t);
            Map<String, Map<String, Object>> byHost = new HashMap<>();
            results(r).forEach(h -> byHost.put((String) h.get("host"), h));
            assertEquals("unreachable", byHost.get("chaos-1").get("error"));
            assertEquals(0, byHost.get("fleet-2").get("exit_code"));
            assertEquals("ran\n", byHost.get("fleet-2").get("stdout"));
            assertEquals(0, byHost.get("fleet-3").get("exit_code"));
            assertFalse(t.contains("internal error"), t);
        }
    }

    @Test
    void aHostFlappingDuringFanOutsNeverCostsAnotherHostItsResult() throws Exception {
        ControlledSshd d = host("flap", "127.0.2.7");
        open(line("chaos-1", d, 0, SshdFleet.get().npPassword), "");
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread flapper = new Thread(() -> {
            try {
                while (!stop.get()) {
                    d.stop();
                    Thread.sleep(250);
                    d.start();
                    Thread.sleep(250);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        flapper.start();
        try {
            for (int i = 0; i < 12; i++) {
                CallToolResult r = call(ToolCatalog.find(fleet, "exec"), "host", "all", "command", "echo " + i);
                List<Map<String, Object>> res = results(r);
                assertEquals(4, res.size(), text(r));
                for (Map<String, Object> h : res) {
                    if (!h.get("host").equals("chaos-1")) {
                        assertEquals(i + "\n", h.get("stdout"), h.toString());
                    } else if (h.get("error") == null) {
                        assertEquals(i + "\n", h.get("stdout"), "chaos-1 either ran it or says why not: " + h);
                    }
                }
                Thread.sleep(100);
            }
        } finally {
            stop.set(true);
            flapper.join();
        }
        d.start();
        assertEquals(
                "up\n",
                eventually(
                                Duration.ofSeconds(15),
                                () -> run("chaos-1", "echo up"),
                                x -> x.exitCode() != null && x.exitCode() == 0,
                                "chaos-1 back after flapping")
                        .stdout());
    }

    @Test
    void execWithEnvAndCwdOnAFanOutWithADownHostStillAnswersForEach() throws Exception {
        ControlledSshd d = host("envdown", "127.0.2.8");
        open(line("chaos-1", d, 0, SshdFleet.get().npPassword), "");
        d.stop();
        String secret = "chaos-env-" + System.nanoTime();
        CallToolResult r = call(
                ToolCatalog.find(fleet, "exec"),
                "host",
                List.of("chaos-1", "fleet-2"),
                "command",
                "echo \"$(pwd) $TOKEN\"",
                "cwd",
                "/tmp",
                "env",
                Map.of("TOKEN", secret));
        Map<String, Object> down = io.github.sshfleet.testing.Folded.host(r.structuredContent(), "chaos-1");
        Map<String, Object> up = io.github.sshfleet.testing.Folded.host(r.structuredContent(), "fleet-2");
        assertEquals("unreachable", down.get("error"), down.toString());
        assertEquals("/tmp ********\n", up.get("stdout"), up.toString());
        assertFalse(text(r).contains(secret));
    }

    @Test
    void sshdRestartedUnderOpenSessionsIsReconnectedTransparently() throws Exception {
        ControlledSshd d = host("restart", "127.0.2.4");
        open(line("chaos-1", d, 0, SshdFleet.get().npPassword), "");
        assertEquals(0, run("chaos-1", "true").exitCode());
        int before = fleet.pool().connectsOpened();
        d.stop();
        d.start();
        // The pooled session died with the old daemon; the next command has not started, so it reconnects safely.
        CommandResult r = eventually(
                Duration.ofSeconds(5),
                () -> run("chaos-1", "echo again"),
                x -> x.exitCode() != null,
                "a result after the restart");
        assertEquals("again\n", r.stdout());
        assertTrue(fleet.pool().connectsOpened() > before);
    }

    @Test
    void aFrozenHostIsDetectedWithinTheKeepalivePromiseAndThawsBackIntoService() throws Exception {
        ControlledSshd d = host("freeze", "127.0.2.5");
        open(line("chaos-1", d, 0, SshdFleet.get().npPassword), "keepalive_interval: 1\nconnect_timeout: 2\n");
        Machine m = fleet.machines().one("chaos-1");
        RunningCommand rc = fleet.runner().start(m, "sleep 60", null, false, 4096);
        Thread.sleep(300);
        d.freeze();
        long t0 = System.nanoTime();
        try {
            assertTrue(rc.await(Duration.ofSeconds(10)), "a frozen host must be detected");
            long detectMs = (System.nanoTime() - t0) / 1_000_000;
            CommandResult r = rc.result();
            assertEquals(Kind.CONNECTION_LOST, r.failure().kind());
            assertTrue(
                    r.failure().getMessage().contains("no reply to 3 keepalives"),
                    r.failure().getMessage());
            assertTrue(detectMs <= 3_000 + 1_500, "keepalive 1 s x 3 promised, took " + detectMs + " ms");
            System.err.println("frozen host detected after " + detectMs + " ms (keepalive_interval 1 s x 3)");

            // A new call while it is frozen: bounded by connect_timeout, then remembered.
            long t1 = System.nanoTime();
            CommandResult during = run("chaos-1", "true");
            assertNotNull(during.failure());
            assertTrue((System.nanoTime() - t1) / 1_000_000 < 2_000 + 1_500, "took too long");
        } finally {
            d.thaw();
        }
        CommandResult back = eventually(
                Duration.ofSeconds(8),
                () -> run("chaos-1", "echo thawed"),
                x -> x.exitCode() != null && x.exitCode() == 0,
                "chaos-1 back after SIGCONT");
        assertEquals("thawed\n", back.stdout());
    }

    @Test
    void aNewCallToAHostThatFrozeSinceItsLastUseFailsWithinConnectTimeout() throws Exception {
        ControlledSshd d = host("frozen-new", "127.0.2.6");
        // Keepalives far apart: the pool has not noticed yet when the call comes.
        open(line("chaos-1", d, 0, SshdFleet.get().npPassword), "keepalive_interval: 120\nconnect_timeout: 2\n");
        assertEquals(0, run("chaos-1", "true").exitCode());
        d.freeze();
        try {
            long t0 = System.nanoTime();
            CommandResult r = run("chaos-1", "true");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(Kind.TIMEOUT, r.failure().kind(), r.failure().getMessage());
            assertTrue(
                    r.failure().getMessage().contains("did not answer"),
                    r.failure().getMessage());
            // The command went out on the channel opened ahead after the first call: the host may yet run it.
            assertTrue(
                    r.failure().getMessage().contains("whether it started there is unknown"),
                    r.failure().getMessage());
            assertTrue(ms < 2_000 + 1_000, "one connect_timeout, not two: " + ms + " ms");
            System.err.println("new call to a frozen host failed after " + ms + " ms (connect_timeout 2 s)");
        } finally {
            d.thaw();
        }
        assertEquals(
                "ok\n",
                eventually(
                                Duration.ofSeconds(8),
                                () -> run("chaos-1", "echo ok"),
                                x -> x.exitCode() != null && x.exitCode() == 0,
                                "chaos-1 back")
                        .stdout());
    }

    @Test
    void anOversizeCommandIsRefusedAndTheCommandBesideItSurvives() throws Exception {
        open("", "");
        Machine m = fleet.machines().one("fleet-2");
        RunningCommand beside = fleet.runner().start(m, "sleep 2; echo survived", null, false, 4096);
        String huge = "echo " + "x".repeat(1 << 20);
        FleetException refused = assertThrows(
                FleetException.class, () -> call(ToolCatalog.find(fleet, "exec"), "host", "fleet-2", "command", huge));
        assertEquals(Kind.TOO_LARGE, refused.kind());
        assertTrue(refused.getMessage().contains("run_script"), refused.getMessage());
        assertTrue(refused.getMessage().length() < 2_000, "the refusal does not echo the command back");
        CommandResult sameViaRunner = run("fleet-2", huge);
        assertEquals(Kind.TOO_LARGE, sameViaRunner.failure().kind());
        assertTrue(beside.await(Duration.ofSeconds(10)));
        assertEquals(
                0, beside.result().exitCode(), String.valueOf(beside.result().failure()));
        assertEquals("survived\n", beside.result().stdout());
    }

    @Test
    void idleForwardsDoNotUseUpAHostsCommandSlots() throws Exception {
        open("", "max_channels_per_host: 8\n");
        Machine m = fleet.machines().one("fleet-2");
        Forwards forwards = fleet.forwards();
        for (int i = 0; i < 8; i++) {
            forwards.startLocal(m, "127.0.0.1", 0, "127.0.0.1", 9);
        }
        long t0 = System.nanoTime();
        CommandResult r = run("fleet-2", "echo free");
        assertEquals(0, r.exitCode(), String.valueOf(r.failure()));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 3_000);
    }

    @Test
    void asyncAfterCountsEachHostsOwnTimeNotItsTimeInTheQueue() throws Exception {
        StringBuilder hosts = new StringBuilder();
        SshdFleet s = SshdFleet.get();
        for (int i = 1; i <= 6; i++) {
            hosts.append(s.line("q-" + i, 2, SshdFleet.NP_USER, ":" + s.npPassword))
                    .append('\n');
        }
        open(hosts.toString(), "max_parallel_hosts: 2\n");
        CallToolResult r = call(
                ToolCatalog.find(fleet, "exec"), "host", "q-*", "command", "sleep 0.7; echo done", "async_after", 1);
        for (Map<String, Object> h : results(r)) {
            assertNull(h.get("command_id"), "queued host went to the background: " + h);
            assertEquals("done\n", h.get("stdout"), h.toString());
        }
    }

    @Test
    void aColdFanOutToAHundredMachinesWithRefusalsAndBadPasswordsAnswersForEach() throws Exception {
        SshdFleet s = SshdFleet.get();
        List<ControlledSshd> daemons = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            List<String> ips = new ArrayList<>();
            for (int i = 1; i <= 16; i++) {
                ips.add("127.0." + (10 + k) + "." + i);
            }
            daemons.add(host("cold" + k, ips.toArray(String[]::new)));
        }
        StringBuilder lines = new StringBuilder();
        int n = 0;
        for (ControlledSshd d : daemons) {
            for (int i = 0; i < 16 && n < 85; i++, n++) {
                lines.append(line("cold-" + n, d, i, s.npPassword));
            }
        }
        for (int i = 0; i < 10; i++, n++) { // nothing listens there: connection refused
            lines.append("cold-")
                    .append(n)
                    .append("\t127.0.30.")
                    .append(i + 1)
                    .append(':')
                    .append(daemons.get(0).port())
                    .append('\t')
                    .append(SshdFleet.NP_USER)
                    .append(':')
                    .append(s.npPassword)
                    .append('\n');
        }
        for (int i = 0; i < 5; i++, n++) {
            lines.append(line("cold-" + n, daemons.get(5), 5 + i, "wrong-" + i));
        }
        open(
                lines.toString(),
                "max_parallel_hosts: 100\nconnect_timeout: 10\n",
                daemons.toArray(ControlledSshd[]::new));
        long t0 = System.nanoTime();
        CallToolResult r = call(ToolCatalog.find(fleet, "exec"), "host", "cold-*", "command", "echo hi");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        List<Map<String, Object>> res = results(r);
        assertEquals(100, res.size());
        Map<String, Integer> kinds = new HashMap<>();
        for (Map<String, Object> h : res) {
            String k = h.get("error") != null ? (String) h.get("error") : "exit " + h.get("exit_code");
            kinds.merge(k, 1, Integer::sum);
        }
        assertEquals(Map.of("exit 0", 85, "unreachable", 10, "auth_failed", 5), kinds, text(r).substring(0, 300));
        assertTrue(text(r).startsWith("100 hosts: 85 ok, 15 failed"), text(r).substring(0, 100));
        assertTrue(ms < 60_000, "cold fan-out took " + ms + " ms");
        System.err.println("cold fan-out to 100 machines (85 ok, 10 refused, 5 bad password): " + ms + " ms");
    }
}
