package io.github.sshfleet.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.Lease;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One SFTP channel per pooled session is parked between calls: the next read_file takes it instead of paying three
 * round trips for a new one. An SFTP error answer keeps it; a dropped session takes it along, and the next call
 * reconnects and parks a new one.
 */
@RequiresSshd
class SftpChannelReuseTest {

    static FleetServices fleet(Path home) throws Exception {
        SshdFleet sshd = SshdFleet.get();
        return Fleets.open(sshd.writeConfig(home.resolve("cfg"), sshd.standardHosts(), ""), home);
    }

    static FleetSftpClient parked(FleetServices fleet, Machine m) {
        try (Lease lease = fleet.pool().acquireSession(m, Deadline.after(Duration.ofSeconds(10)))) {
            return lease.session().getAttribute(RemoteFs.PARKED);
        }
    }

    static String read(FleetServices fleet, Machine m, String path) {
        return fleet.reader()
                .read(m, path, 0, 4096, false, Duration.ofSeconds(10))
                .textContent();
    }

    @Test
    void theSecondReadTakesTheFirstOnesChannelAndADroppedSessionStartsAfresh(@TempDir Path home) throws Exception {
        try (FleetServices fleet = fleet(home)) {
            Machine m = fleet.machines().one("fleet-2");
            read(fleet, m, "/etc/hostname");
            FleetSftpClient first = parked(fleet, m);
            assertNotNull(first, "the channel is parked after the call");
            read(fleet, m, "/etc/os-release");
            assertSame(first, parked(fleet, m), "the second call took it and parked it again");
            FleetException missing =
                    assertThrows(FleetException.class, () -> read(fleet, m, "/nonexistent-" + System.nanoTime()));
            assertEquals(FleetException.Kind.NOT_FOUND, missing.kind());
            assertSame(first, parked(fleet, m), "an SFTP status answer leaves the channel fine");

            SshdFleet.get().dropSessionsOf(SshdFleet.NP_USER);
            io.github.sshfleet.testing.Eventually.eventually(
                    Duration.ofSeconds(10), () -> !first.isOpen(), b -> b, "the parked channel dies with its session");
            String again = null;
            for (int i = 0; i < 20 && again == null; i++) { // the pool notices the dead session and reconnects
                try {
                    again = read(fleet, m, "/etc/hostname");
                } catch (FleetException e) {
                    Thread.sleep(200);
                }
            }
            assertNotNull(again, "read_file works again after the session dropped");
            assertNotSame(first, parked(fleet, m));
        }
    }
}
