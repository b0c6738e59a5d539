package io.github.sshfleet.tmux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tmux tools' engine against real sshd and real tmux, as root (sudo with a password) and as the user. */
@RequiresSshd
class TmuxAgainstSshdTest {

    static FleetServices fleet;
    static Tmux tmux;
    static final Duration T = Duration.ofSeconds(20);

    @TempDir
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        fleet = Fleets.open(sshd.writeConfig(home.resolve("cfg"), sshd.standardHosts(), ""), home);
        tmux = fleet.tmux();
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static Machine m(String name) {
        return fleet.machines().one(name);
    }

    static String session() {
        return "sf-t-" + Long.toHexString(System.nanoTime()).substring(4);
    }

    @Test
    void newPasteWaitCaptureInterruptKill() {
        Machine m = m("fleet-1"); // sudo asks for a password here
        String s = session();
        try {
            assertEquals(s, tmux.newSession(m, true, s, "bash --noprofile --norc", "/tmp", T));
            assertTrue(tmux.list(m, true, T).stream().anyMatch(x -> x.name().equals(s)), "root's server has it");
            String text = "X='it'\"'\"'s'; echo \"who=$(whoami) home=$HOME q=$X\"\n"
                    + "cat <<'EOF'\nheredoc $HOME `stays`\nEOF\n";
            tmux.paste(m, true, s, text, false, T);
            Tmux.Waited w = tmux.waitFor(
                    m, true, s, Pattern.compile("who=root home=/root q=it's"), T, Duration.ofMillis(100), 200, 65536);
            assertTrue(w.matched(), w.pane());
            Tmux.Waited h = tmux.waitFor(
                    m, true, s, Pattern.compile("^heredoc \\$HOME `stays`$"), T, Duration.ofMillis(100), 200, 65536);
            assertTrue(h.matched(), h.pane());
            assertTrue(tmux.capture(m, true, s, 50, 65536, T).contains("heredoc $HOME `stays`"));

            tmux.paste(m, true, s, "sleep 1000; echo after-sleep", true, T);
            tmux.sendKeys(m, true, s, "C-c", T);
            tmux.paste(m, true, s, "echo back-$((40+2))", true, T);
            assertTrue(
                    tmux.waitFor(m, true, s, Pattern.compile("back-42"), T, Duration.ofMillis(100), 50, 65536)
                            .matched(),
                    "Ctrl-C stopped the sleep and the shell answers");
            assertFalse(
                    tmux.capture(m, true, s, 50, 65536, T).lines().anyMatch(l -> l.equals("after-sleep")),
                    "the echo after the interrupted sleep never ran");
            assertEquals(
                    "",
                    fleet.runner()
                            .run(m("fleet-2"), "ls /tmp | grep ssh-fleet-paste || true", T, true, 4096)
                            .stdout(),
                    "staged paste files are removed");
        } finally {
            tmux.kill(m, true, s, T);
        }
        assertFalse(tmux.list(m, true, T).stream().anyMatch(x -> x.name().equals(s)));
    }

    @Test
    void waitTimesOutWithThePaneAndWrongServerSaysWhereToLook() {
        Machine m = m("fleet-2");
        String s = session();
        tmux.newSession(m, false, s, "", "", T); // the login user's server
        try {
            Tmux.Waited w = tmux.waitFor(
                    m,
                    false,
                    s,
                    Pattern.compile(Pattern.quote("never-printed")),
                    Duration.ofSeconds(1),
                    Duration.ofMillis(200),
                    20,
                    65536);
            assertFalse(w.matched());
            assertTrue(w.polls() >= 2);
            FleetException e = assertThrows(FleetException.class, () -> tmux.capture(m, true, s, 10, 4096, T));
            assertEquals(FleetException.Kind.NOT_FOUND, e.kind());
            assertTrue(e.getMessage().contains("sudo: false"), e.getMessage());
            FleetException clash = assertThrows(FleetException.class, () -> tmux.newSession(m, false, s, "", "", T));
            assertEquals(FleetException.Kind.CONFLICT, clash.kind());
        } finally {
            tmux.kill(m, false, s, T);
        }
    }

    @Test
    void namesAndKeysAreValidated() {
        assertThrows(FleetException.class, () -> Tmux.checkSession("bad name"));
        assertThrows(FleetException.class, () -> Tmux.checkSession("x;rm"));
        assertEquals(List.of("C-c", "Up", "Enter", "M-x", "F5"), Tmux.checkKeys("C-c Up  Enter M-x F5"));
        FleetException text = assertThrows(FleetException.class, () -> Tmux.checkKeys("ls -la"));
        assertTrue(text.getMessage().contains("tmux_paste"), text.getMessage());
        assertThrows(FleetException.class, () -> Tmux.checkTarget("a b"));
        assertEquals("apt-get install -y tmux", Tmux.installCommand("ssh-fleet-no-tmux debian"));
        assertEquals("dnf install -y tmux", Tmux.installCommand("ssh-fleet-no-tmux rocky rhel centos fedora"));
    }
}
