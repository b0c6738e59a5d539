package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.sshd.common.kex.KexProposalOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which key exchange a real sshd agrees to: curve25519-sha256 by default (the post-quantum hybrids cost three times
 * the CPU per connect), exactly what kex: lists when it is set, the hybrid included.
 */
@RequiresSshd
class KexTest {

    static String negotiated(Path home, String yaml) throws Exception {
        SshdFleet sshd = SshdFleet.get();
        Path cfg = sshd.writeConfig(home.resolve("cfg"), sshd.standardHosts(), yaml);
        try (FleetServices fleet = Fleets.open(cfg, home);
                Lease lease =
                        fleet.pool().acquire(fleet.machines().one("fleet-2"), Deadline.after(Duration.ofSeconds(10)))) {
            return lease.session().getNegotiatedKexParameter(KexProposalOption.ALGORITHMS);
        }
    }

    @Test
    void curve25519ByDefaultAndTheConfiguredListWhenGiven(@TempDir Path home) throws Exception {
        assertEquals("curve25519-sha256", negotiated(home.resolve("default"), ""));
        assertEquals("ecdh-sha2-nistp256", negotiated(home.resolve("ecdh"), "kex: [ecdh-sha2-nistp256]\n"));
        assertEquals(
                "sntrup761x25519-sha512@openssh.com",
                negotiated(home.resolve("pq"), "kex: [sntrup761x25519-sha512@openssh.com, curve25519-sha256]\n"));
    }
}
