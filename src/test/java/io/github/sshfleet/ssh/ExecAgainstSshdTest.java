package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** exec and sudo through the pool against real OpenSSH sshd with real users, keys and sudo rules. */
@RequiresSshd
class ExecAgainstSshdTest {

    static SshdFleet sshd;
    static FleetServices fleet;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        sshd = SshdFleet.get();
        String hosts = sshd.standardHosts()
                + sshd.line("key-ed25519", 1, SshdFleet.NP_USER, "\tkey=" + sshd.keyEd25519) + "\n"
                + sshd.line("key-rsa", 2, SshdFleet.NP_USER, "\tkey=" + sshd.keyRsa) + "\n"
                + sshd.line("key-ecdsa", 3, SshdFleet.PW_USER, "\tkey=" + sshd.keyEcdsa) + "\n"
                + sshd.line(
                        "key-enc",
                        1,
                        SshdFleet.PW_USER,
                        "\tkey=" + sshd.keyEncrypted + "\tpassphrase=" + SshdFleet.KEY_PASSPHRASE)
                + "\n"
                + sshd.line("key-enc-nopass", 2, SshdFleet.NP_USER, "\tkey=" + sshd.keyEncrypted) + "\n"
                + sshd.line("key-wrong-sudo", 3, SshdFleet.PW_USER, ":not-the-password\tkey=" + sshd.keyEd25519) + "\n"
                + sshd.line("nosudo", 1, SshdFleet.NOSUDO_USER, ":" + sshd.nosudoPassword) + "\n"
                + sshd.line("badpass", 2, SshdFleet.NP_USER, ":wrong-password") + "\n"
                + "closed\t127.0.0.29:1\tnobody:x\n";
        fleet = Fleets.open(sshd.writeConfig(tmp.resolve("cfg"), hosts, ""), tmp);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static CommandResult run(String host, String command, boolean sudo) {
        return run(host, command, sudo, Duration.ofSeconds(20));
    }

    static CommandResult run(String host, String command, boolean sudo, Duration timeout) {
        Machine m = fleet.machines().one(host);
        return fleet.runner().run(m, command, timeout, sudo, 64 * 1024);
    }

    @Test
    void keepsStdoutAndStderrApartWithExitCodes() {
        CommandResult r = run("fleet-1", "echo out; echo err >&2; exit 3", false);
        assertNull(r.failure());
        assertEquals(3, r.exitCode());
        assertEquals("out\n", r.stdout());
        assertEquals("err\n", r.stderr());
        assertEquals(127, run("fleet-2", "no-such-command-xyz", false).exitCode());
        assertEquals(0, run("fleet-3", "true", false).exitCode());
    }

    @Test
    void runsInALoginShellAsTheConfiguredUser() {
        CommandResult r = run("fleet-2", "shopt -q login_shell && echo login; id -un", false);
        assertEquals("login\n" + SshdFleet.NP_USER + "\n", r.stdout());
    }

    @Test
    void stdinIsEmptySoCatReturnsAtOnce() {
        CommandResult r = run("fleet-1", "cat; echo after", false, Duration.ofSeconds(5));
        assertFalse(r.timedOut());
        assertEquals("after\n", r.stdout());
    }

    @Test
    void sudoWithPasswordRunsAsRootAndNeverLeaksThePassword() {
        CommandResult r = run("fleet-1", "id -u; echo " + sshd.pwPassword + "; echo e >&2", true);
        assertNull(r.failure(), () -> r.failure().getMessage());
        assertEquals("0\n********\n", r.stdout());
        assertEquals("e\n", r.stderr());
    }

    @Test
    void sudoNeverFeedsThePasswordToTheCommand() {
        // fleet-1's sudo asks (password consumed by sudo); fleet-2 is NOPASSWD (password must never be sent).
        for (String host : List.of("fleet-1", "fleet-2")) {
            CommandResult r = run(host, "cat | od -c | head -3; echo done", true, Duration.ofSeconds(10));
            assertNull(r.failure(), host);
            assertFalse(r.timedOut(), host);
            assertEquals("0000000\ndone\n", r.stdout(), host); // od of empty input prints only the offset
        }
    }

    @Test
    void sudoPasswordIsNotOnAnyCommandLine() throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Future<CommandResult> running = ex.submit(() -> run("fleet-1", "sleep 2.41", true));
            List<String> seen = List.of();
            for (int i = 0; i < 40 && seen.isEmpty(); i++) {
                Thread.sleep(100);
                seen = SshdFleet.processes("sleep 2.41");
            }
            assertFalse(seen.isEmpty(), "the sudo command should be visible while it runs");
            for (String p : SshdFleet.processes(".")) {
                assertFalse(p.contains(sshd.pwPassword), "password on a command line: " + p);
            }
            assertEquals(0, running.get().exitCode());
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void wrongSudoPasswordFailsFastWithAClearError() {
        CommandResult r = run("key-wrong-sudo", "id -u", true, Duration.ofSeconds(30));
        assertNotNull(r.failure());
        assertEquals(FleetException.Kind.SUDO, r.failure().kind());
        assertTrue(
                r.failure().getMessage().contains("rejected the password"),
                r.failure().getMessage());
        assertTrue(r.durationMillis() < 20_000, "must not wait for the timeout");
    }

    @Test
    void userWithoutSudoGetsAClearError() {
        CommandResult r = run("nosudo", "id -u", true, Duration.ofSeconds(30));
        assertNotNull(r.failure());
        assertEquals(FleetException.Kind.SUDO, r.failure().kind());
        assertTrue(
                r.failure().getMessage().contains("not in the sudoers")
                        || r.failure().getMessage().contains("not allowed"),
                r.failure().getMessage());
    }

    @Test
    void timeoutReallyStopsTheRemoteCommand() throws Exception {
        for (boolean sudo : new boolean[] {false, true}) {
            String marker = sudo ? "sleep 307.5" : "sleep 303.5";
            // Not the last command: bash cannot exec it in place, so only a signal to the whole group reaches it.
            CommandResult r = run(
                    sudo ? "fleet-1" : "fleet-2",
                    "echo before; " + marker + "; echo after",
                    sudo,
                    Duration.ofSeconds(2));
            assertTrue(r.timedOut());
            assertEquals("before\n", r.stdout());
            List<String> left = SshdFleet.processes(marker);
            for (int i = 0; i < 30 && !left.isEmpty(); i++) {
                Thread.sleep(100);
                left = SshdFleet.processes(marker);
            }
            assertEquals(List.of(), left, "remote command survived its timeout (sudo=" + sudo + ")");
        }
    }

    @Test
    void keyLoginsOfEveryType() {
        for (String host : List.of("key-ed25519", "key-rsa", "key-ecdsa", "key-enc")) {
            CommandResult r = run(host, "echo hi", false);
            assertNull(r.failure(), () -> host + ": " + r.failure().getMessage());
            assertEquals("hi\n", r.stdout(), host);
        }
    }

    @Test
    void encryptedKeyWithoutPassphraseSaysHowToGiveIt() {
        CommandResult r = run("key-enc-nopass", "true", false);
        assertEquals(FleetException.Kind.AUTH_FAILED, r.failure().kind());
        assertTrue(r.failure().getMessage().contains("passphrase="), r.failure().getMessage());
    }

    @Test
    void wrongPasswordAndClosedPortAreClearErrors() {
        CommandResult bad = run("badpass", "true", false);
        assertEquals(FleetException.Kind.AUTH_FAILED, bad.failure().kind());
        assertFalse(bad.failure().getMessage().contains("wrong-password"), "never echo the secret");
        CommandResult closed = run("closed", "true", false);
        assertEquals(FleetException.Kind.UNREACHABLE, closed.failure().kind());
        assertTrue(
                closed.failure().getMessage().contains("connection refused"),
                closed.failure().getMessage());
    }

    @Test
    void outputIsBoundedWithHeadAndTail() {
        CommandResult r = run("fleet-2", "echo FIRST; head -c 5000000 /dev/zero | tr '\\0' x; echo; echo LAST", false);
        assertTrue(r.stdoutTruncated());
        assertTrue(r.stdout().startsWith("FIRST\n"));
        assertTrue(r.stdout().endsWith("LAST\n"));
        assertTrue(r.stdout().contains("bytes omitted ...]"));
        assertTrue(r.stdout().length() < 70_000);
        assertEquals(5_000_012, r.stdoutBytes());
    }

    @Test
    void invalidUtf8IsReplacedNotFatal() {
        CommandResult r = run("fleet-2", "printf 'a\\377\\376b\\n'", false);
        assertEquals(0, r.exitCode());
        assertTrue(r.stdout().startsWith("a")
                && r.stdout().endsWith("b\n")
                && r.stdout().contains("\uFFFD"));
    }

    @Test
    void concurrentCallsToAColdHostOpenOneConnectionAndQueueOnTheChannelCap() throws Exception {
        Path cfgDir = tmp.resolve("cold");
        FleetServices cold = Fleets.open(sshd.writeConfig(cfgDir, sshd.standardHosts(), ""), tmp);
        ExecutorService ex = Executors.newFixedThreadPool(16);
        try {
            Machine m = cold.machines().one("fleet-3");
            List<Callable<CommandResult>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int n = i;
                calls.add(() -> cold.runner().run(m, "sleep 0.3; echo " + n, Duration.ofSeconds(30), false, 4096));
            }
            List<Future<CommandResult>> results = ex.invokeAll(calls);
            for (int i = 0; i < 16; i++) {
                CommandResult r = results.get(i).get();
                assertNull(r.failure(), () -> r.failure().getMessage());
                assertEquals(i + "\n", r.stdout());
            }
            assertEquals(1, cold.pool().connectsOpened(), "16 racing calls must share one connection");
        } finally {
            ex.shutdownNow();
            cold.close();
        }
    }

    /**
     * Eight callers, each running short commands back to back on one warm host (the memory bench's workload): the
     * channel cap is in use all the time, channels close and open at once, and no call may lose its result.
     */
    @Test
    void shortCommandsBackToBackFromEightCallersAllComplete() throws Exception {
        Machine m = fleet.machines().one("fleet-2");
        assertEquals(0, run("fleet-2", "true", false).exitCode());
        ExecutorService ex = Executors.newFixedThreadPool(8);
        try {
            List<Callable<List<String>>> calls = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                calls.add(() -> {
                    List<String> failed = new ArrayList<>();
                    for (int i = 0; i < 60; i++) {
                        CommandResult r = fleet.runner().run(m, "true", Duration.ofSeconds(20), false, 4096);
                        if (r.failure() != null || r.exitCode() != 0) {
                            failed.add(
                                    r.failure() == null
                                            ? "exit " + r.exitCode()
                                            : r.failure().getMessage());
                        }
                    }
                    return failed;
                });
            }
            List<String> failed = new ArrayList<>();
            for (Future<List<String>> f : ex.invokeAll(calls)) {
                failed.addAll(f.get());
            }
            assertEquals(List.of(), failed);
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void droppedSessionIsReplacedTransparently() throws Exception {
        assertEquals(0, run("fleet-3", "true", false).exitCode());
        sshd.dropSessionsOf(SshdFleet.NP_USER);
        Thread.sleep(200);
        CommandResult r = run("fleet-3", "echo again", false);
        assertNull(r.failure(), () -> r.failure().getMessage());
        assertEquals("again\n", r.stdout());
    }

    @Test
    void strictPolicyRefusesUnknownHostKeysWithTheFix() throws Exception {
        Path dir = tmp.resolve("strict");
        Path cfg = sshd.writeConfig(dir, sshd.standardHosts(), "host_key_policy: strict\n");
        Files.writeString(dir.resolve("known_hosts"), ""); // nothing known
        FleetServices strict = Fleets.open(cfg, tmp);
        try {
            CommandResult r =
                    strict.runner().run(strict.machines().one("fleet-1"), "true", Duration.ofSeconds(5), false, 1024);
            assertEquals(FleetException.Kind.HOST_KEY, r.failure().kind());
            assertTrue(
                    r.failure().getMessage().contains("ssh-keyscan -p " + sshd.port),
                    r.failure().getMessage());
            assertTrue(r.failure().getMessage().contains("SHA256:"), r.failure().getMessage());
        } finally {
            strict.close();
        }
    }
}
