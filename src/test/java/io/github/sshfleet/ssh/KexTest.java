package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.testing.ControlledSshd;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    /**
     * A host that offers none of the configured key exchanges (OpenSSH 9.2 dropped diffie-hellman-group14-sha1 from
     * its defaults) is told apart from a wrong password: nothing was sent but the handshake. Before, it came back as
     * auth_failed "using password (Unable to negotiate ...)", which sends an operator to the credentials.
     */
    @Test
    void noKeyExchangeInCommonIsIncompatibleNotAnAuthFailure(@TempDir Path home) throws Exception {
        SshdFleet sshd = SshdFleet.get();
        Path cfg = sshd.writeConfig(home.resolve("cfg"), sshd.standardHosts(), "kex: [diffie-hellman-group14-sha1]\n");
        try (FleetServices fleet = Fleets.open(cfg, home)) {
            CommandResult r =
                    fleet.runner().run(fleet.machines().one("fleet-2"), "true", Duration.ofSeconds(10), false, 4096);
            assertNotNull(r.failure(), "no common key exchange: the call fails");
            assertEquals(
                    io.github.sshfleet.core.FleetException.Kind.INCOMPATIBLE,
                    r.failure().kind(),
                    r.failure().getMessage());
            String msg = r.failure().getMessage();
            assertTrue(
                    msg.contains("share no algorithm") && msg.contains("kex algorithms") && msg.contains("kex:"), msg);
        }
    }

    /** An old device that offers only diffie-hellman-group14-sha1 is reached by listing it under kex:. */
    @Test
    void aKeyExchangeOutsideMinasDefaultsIsUsedWhenListed(@TempDir Path home) throws Exception {
        SshdFleet sshd = SshdFleet.get();
        try (ControlledSshd old = sshd.controlled(
                "oldkex-" + System.nanoTime(),
                List.of("127.0.6.60"),
                List.of("KexAlgorithms diffie-hellman-group14-sha1"))) {
            String line = "old\t127.0.6.60:" + old.port() + "\t" + SshdFleet.NP_USER + ":" + sshd.npPassword + "\n";
            Path cfg = sshd.writeConfig(home.resolve("cfg"), line, "kex: [diffie-hellman-group14-sha1]\n");
            Path kh = home.resolve("cfg").resolve("known_hosts");
            Files.writeString(kh, Files.readString(kh) + old.knownHostsLines(sshd.hostKeyLine));
            try (FleetServices fleet = Fleets.open(cfg, home);
                    Lease lease =
                            fleet.pool().acquire(fleet.machines().one("old"), Deadline.after(Duration.ofSeconds(10)))) {
                assertEquals(
                        "diffie-hellman-group14-sha1",
                        lease.session().getNegotiatedKexParameter(KexProposalOption.ALGORITHMS));
            }
        }
    }
}
