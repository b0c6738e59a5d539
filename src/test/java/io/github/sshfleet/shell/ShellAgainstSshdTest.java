package io.github.sshfleet.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Persistent shells against real sshd: sudo with and without a password, markers, timeouts, transcripts. */
@RequiresSshd
class ShellAgainstSshdTest {

    static SshdFleet sshd;
    static FleetServices fleet;
    static ShellSessions shells;

    @TempDir
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        sshd = SshdFleet.get();
        String hosts =
                sshd.standardHosts() + sshd.line("nosudo", 1, SshdFleet.NOSUDO_USER, ":" + sshd.nosudoPassword) + "\n";
        fleet = Fleets.open(sshd.writeConfig(home.resolve("cfg"), hosts, ""), home);
        shells = fleet.shells();
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static ShellSession open(String host, boolean root) {
        return shells.open(fleet.machines().one(host), root);
    }

    static ShellResult run(ShellSession s, String command) {
        return shells.run(s.id(), command, Duration.ofSeconds(20), 64 * 1024);
    }

    @Test
    void stateAndExitCodesPersistAcrossRuns() {
        for (String host : List.of("fleet-1", "fleet-2")) { // sudo with a password, and NOPASSWD sudo
            ShellSession s = open(host, true);
            try {
                assertEquals("root", run(s, "whoami").output().strip());
                assertEquals(
                        0,
                        run(s, "cd /tmp && export SF_X=42 && f() { echo \"f:$1\"; }")
                                .exitCode());
                ShellResult r = run(s, "pwd; echo $SF_X; f hi");
                assertEquals("/tmp\n42\nf:hi\n", r.output());
                assertEquals("/tmp", r.cwd());
                assertEquals(1, run(s, "false").exitCode());
                assertEquals(127, run(s, "no-such-command-xyz").exitCode());
                assertEquals(3, run(s, "(exit 3)").exitCode());
            } finally {
                shells.close(s.id());
            }
        }
    }

    @Test
    void aNamedShellIsFoundAgainWithItsStateAndADeadOneIsReplaced() throws Exception {
        var m = fleet.machines().one("fleet-2");
        ShellSessions.Opened first = shells.openNamed(m, true, "deploy");
        try {
            assertFalse(first.reused());
            assertEquals("shell-fleet-2-deploy", first.shell().id());
            run(first.shell(), "cd /tmp && export SF_NAMED=7");
            ShellSessions.Opened again = shells.openNamed(m, true, "deploy"); // the agent lost its context
            assertTrue(again.reused());
            assertEquals("/tmp\n7\n", run(again.shell(), "pwd; echo $SF_NAMED").output());
            FleetException other = assertThrows(FleetException.class, () -> shells.openNamed(m, false, "deploy"));
            assertEquals(FleetException.Kind.CONFLICT, other.kind());
            sshd.dropSessionsOf(SshdFleet.NP_USER); // the shell dies with its connection
            ShellSessions.Opened fresh = io.github.sshfleet.testing.Eventually.eventually(
                    Duration.ofSeconds(10),
                    () -> shells.openNamed(m, true, "deploy"),
                    o -> !o.reused(),
                    "a fresh shell under the same name");
            assertEquals("shell-fleet-2-deploy", fresh.shell().id());
        } finally {
            shells.close("shell-fleet-2-deploy");
        }
    }

    @Test
    void markerProtocolSurvivesCommentsMultiLineAndLookalikes() {
        ShellSession s = open("fleet-2", false);
        try {
            ShellResult c = run(s, "echo visible # trailing comment");
            assertEquals("visible\n", c.output());
            assertEquals(0, c.exitCode());
            ShellResult m = run(s, "cd /tmp\nexport SF_Y=multi\ncat <<'EOF'\n$SF_Y stays literal\nEOF");
            assertEquals("$SF_Y stays literal\n", m.output());
            assertEquals("/tmp multi", run(s, "echo \"$PWD $SF_Y\"").output().strip());
            ShellResult look = run(s, "echo __SF_E_0000 1 /nowhere; printf '__SF_B_x\\n'; echo done");
            assertEquals("__SF_E_0000 1 /nowhere\n__SF_B_x\ndone\n", look.output());
            assertEquals("/tmp", look.cwd());
            assertEquals("no newline", run(s, "printf 'no newline'").output());
            assertEquals(SshdFleet.NP_USER, run(s, "whoami").output().strip());
        } finally {
            shells.close(s.id());
        }
    }

    @Test
    void timeoutInterruptsAndTheShellRecovers() {
        ShellSession s = open("fleet-1", true);
        try {
            ShellResult slow = shells.run(s.id(), "echo started; sleep 100", Duration.ofSeconds(1), 4096);
            assertTrue(slow.timedOut());
            assertNull(slow.exitCode());
            assertEquals("started\n", slow.output());
            assertEquals("ok", run(s, "echo ok").output().strip());
            ShellResult quote = shells.run(s.id(), "echo \"unbalanced", Duration.ofSeconds(1), 4096);
            assertTrue(quote.timedOut());
            assertEquals("still here", run(s, "echo still here").output().strip());
            ShellResult stdin = shells.run(s.id(), "cat", Duration.ofSeconds(1), 4096);
            assertTrue(stdin.timedOut(), "a command reading stdin ends at the timeout");
            assertEquals(0, run(s, "true").exitCode());
        } finally {
            shells.close(s.id());
        }
    }

    @Test
    void largeOutputIsBoundedWithHeadAndTail() {
        ShellSession s = open("fleet-3", false);
        try {
            ShellResult r = shells.run(s.id(), "seq 1 700000", Duration.ofSeconds(30), 64 * 1024);
            assertEquals(0, r.exitCode());
            assertTrue(r.outputBytes() > 4_500_000, "about 5 MB went through: " + r.outputBytes());
            assertTrue(r.truncated());
            assertTrue(r.output().startsWith("1\n2\n3\n"));
            assertTrue(
                    r.output().endsWith("699999\n700000\n"),
                    r.output().substring(r.output().length() - 30));
            assertTrue(r.output().contains("bytes omitted"));
            assertEquals("after", run(s, "echo after").output().strip());
        } finally {
            shells.close(s.id());
        }
    }

    @Test
    void tenShellsOnThreeHostsInParallel() throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(10);
        try {
            List<Future<String>> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int n = i;
                all.add(ex.submit(() -> {
                    ShellSession s = open("fleet-" + (n % 3 + 1), n % 2 == 0);
                    try {
                        run(s, "N=" + n);
                        return run(s, "sleep 0.5; echo $N").output().strip();
                    } finally {
                        shells.close(s.id());
                    }
                }));
            }
            for (int i = 0; i < 10; i++) {
                assertEquals(String.valueOf(i), all.get(i).get());
            }
        } finally {
            ex.shutdown();
        }
    }

    @Test
    void transcriptIsPrivateAndNeverHoldsThePassword() throws Exception {
        ShellSession s = open("fleet-1", true); // fleet-1's sudo asks for the password
        Path t = s.transcript();
        try {
            run(s, "echo transcript-check");
        } finally {
            shells.close(s.id());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(t)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(t.getParent())));
        String content = Files.readString(t);
        assertTrue(content.contains("$ echo transcript-check\ntranscript-check\n"), content);
        assertFalse(content.contains(sshd.pwPassword), "password in transcript");
    }

    @Test
    void badInputAndDeadShellsAreClearErrors() throws Exception {
        FleetException unknown = assertThrows(
                FleetException.class, () -> shells.run("shell-nope-1", "true", Duration.ofSeconds(5), 1024));
        assertEquals(FleetException.Kind.NOT_FOUND, unknown.kind());
        FleetException noSudo = assertThrows(FleetException.class, () -> open("nosudo", true));
        assertEquals(FleetException.Kind.SUDO, noSudo.kind());
        ShellSession s = open("fleet-2", false);
        FleetException exited = assertThrows(FleetException.class, () -> run(s, "exit 7"));
        assertTrue(exited.getMessage().contains("exited with status 7"), exited.getMessage());
        FleetException gone = assertThrows(FleetException.class, () -> run(s, "true"));
        assertTrue(gone.getMessage().contains("shell_open"), gone.getMessage());
        assertFalse(shells.list().stream().anyMatch(x -> x.id().equals(s.id())), "dead shells are removed");
    }

    @Test
    void aSessionCarryingAShellIsNeverClosedAsIdle() {
        ShellSession s = open("fleet-3", false);
        try {
            fleet.pool().cleanup(System.nanoTime() + Duration.ofHours(1).toNanos());
            assertEquals("alive", run(s, "echo alive").output().strip());
        } finally {
            shells.close(s.id());
        }
    }

    @Test
    void aDroppedConnectionIsReportedAndTheShellRemoved() throws Exception {
        ShellSession s = open("nosudo", false);
        assertEquals(0, run(s, "true").exitCode());
        sshd.dropSessionsOf(SshdFleet.NOSUDO_USER);
        FleetException e = assertThrows(FleetException.class, () -> {
            for (int i = 0; i < 50; i++) { // the drop lands asynchronously
                run(s, "true");
                Thread.sleep(100);
            }
        });
        assertEquals(FleetException.Kind.CONNECTION_LOST, e.kind());
        assertTrue(e.getMessage().contains("shell_open"), e.getMessage());
        assertFalse(shells.list().stream().anyMatch(x -> x.id().equals(s.id())));
    }

    @Test
    void idleShellsAreReaped() {
        ShellSession s = open("fleet-3", false);
        assertEquals(0, shells.reap(System.nanoTime()));
        assertEquals(1, shells.reap(System.nanoTime() + Duration.ofMinutes(31).toNanos()));
        assertThrows(FleetException.class, () -> run(s, "true"));
    }
}
