package io.github.sshfleet.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * write_file's three-round-trip path keeps every promise of the long one, checked on the host: an existing file's
 * mode, writing through a symlink to its target, overwrite: false, a directory refused, a missing parent refused
 * with nothing left behind, and content over its limit still written (by the streaming path).
 */
@RequiresSshd
class SmallWriteTest {

    static RemoteWriter.Options options(boolean overwrite) {
        return new RemoteWriter.Options(null, "0644", null, false, false, false, overwrite, true);
    }

    static String sh(FleetServices fleet, Machine m, String command) {
        CommandResult r = fleet.runner().run(m, command, Duration.ofSeconds(10), false, 65536);
        assertEquals(0, r.exitCode(), command + ": " + r.stderr());
        return r.stdout().strip();
    }

    @Test
    void theShortPathKeepsTheLongOnesPromises(@TempDir Path home) throws Exception {
        SshdFleet sshd = SshdFleet.get();
        try (FleetServices fleet = Fleets.open(sshd.writeConfig(home.resolve("cfg"), sshd.standardHosts(), ""), home)) {
            Machine m = fleet.machines().one("fleet-2");
            String dir = "/tmp/small-write-" + System.nanoTime();
            sh(
                    fleet,
                    m,
                    "mkdir " + dir + " && printf old > " + dir + "/kept && chmod 640 " + dir + "/kept"
                            + " && printf target > " + dir + "/real && ln -s real " + dir + "/link && mkdir " + dir
                            + "/sub");
            RemoteWriter w = fleet.writer();
            Duration t = Duration.ofSeconds(20);

            RemoteWriter.Written kept = w.write(m, dir + "/kept", bytes("new\n"), options(true), t);
            assertEquals("new", sh(fleet, m, "cat " + dir + "/kept"));
            assertEquals("640", sh(fleet, m, "stat -c %a " + dir + "/kept"), "an existing file keeps its mode");
            assertTrue(kept.existed());

            w.write(m, dir + "/link", bytes("through\n"), options(true), t);
            assertEquals("through", sh(fleet, m, "cat " + dir + "/real"), "the link's target is replaced");
            assertEquals("real", sh(fleet, m, "readlink " + dir + "/link"), "the link stays a link");

            RemoteWriter.Written fresh = w.write(m, dir + "/fresh", bytes("x"), options(true), t);
            assertEquals("0644", fresh.mode());
            assertFalse(fresh.existed());

            FleetException conflict =
                    assertThrows(FleetException.class, () -> w.write(m, dir + "/kept", bytes("no"), options(false), t));
            assertEquals(FleetException.Kind.CONFLICT, conflict.kind());
            assertThrows(FleetException.class, () -> w.write(m, dir + "/sub", bytes("no"), options(true), t));
            FleetException noParent = assertThrows(
                    FleetException.class, () -> w.write(m, dir + "/none/f", bytes("no"), options(true), t));
            assertEquals(FleetException.Kind.NOT_FOUND, noParent.kind());

            // The staging file is created with the look: refused there (no parent yet, a parent not writable),
            // the write still goes ahead after make_dirs, or fails saying why, with nothing left behind.
            RemoteWriter.Options makeDirs =
                    new RemoteWriter.Options(null, "0644", null, false, false, true, true, true);
            w.write(m, dir + "/made/f", bytes("deep\n"), makeDirs, t);
            assertEquals("deep", sh(fleet, m, "cat " + dir + "/made/f"));
            sh(fleet, m, "mkdir " + dir + "/ro && chmod 555 " + dir + "/ro");
            FleetException readOnly =
                    assertThrows(FleetException.class, () -> w.write(m, dir + "/ro/f", bytes("no"), options(true), t));
            assertTrue(readOnly.getMessage().contains(dir + "/ro"), readOnly.getMessage());
            assertEquals("", sh(fleet, m, "ls -A " + dir + "/ro"), "nothing staged in a directory it cannot write");
            sh(fleet, m, "rmdir " + dir + "/ro && rm -r " + dir + "/made");

            byte[] big = new byte[SmallWrite.MAX + 1000];
            java.util.Arrays.fill(big, (byte) 'b');
            RemoteWriter.Written large = w.write(m, dir + "/big", big, options(true), t);
            assertEquals(String.valueOf(big.length), sh(fleet, m, "stat -c %s " + dir + "/big"));
            assertEquals(large.sha256(), sh(fleet, m, "sha256sum " + dir + "/big | cut -d' ' -f1"));
            assertEquals(
                    "big fresh kept link real sub",
                    sh(fleet, m, "ls -A " + dir + " | tr '\\n' ' '"),
                    "no staging file left behind by any of them");
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
