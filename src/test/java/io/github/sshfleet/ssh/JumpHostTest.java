package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Machines behind jump hosts (jump=), one and two hops, through real sshd; host keys checked under the target name. */
@RequiresSshd
class JumpHostTest {

    static SshdFleet sshd;
    static FleetServices fleet;
    static Path knownHosts;

    @TempDir
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        sshd = SshdFleet.get();
        String hosts = sshd.standardHosts()
                + sshd.line("inner", 2, SshdFleet.NP_USER, ":" + sshd.npPassword + "\tjump=fleet-1") + "\n"
                + sshd.line("inner2", 3, SshdFleet.NP_USER, ":" + sshd.npPassword + "\tjump=inner") + "\n"
                + sshd.line("chained", 3, SshdFleet.NP_USER, ":" + sshd.npPassword + "\tjump=fleet-1,fleet-2") + "\n"
                + sshd.line("loop-a", 2, SshdFleet.NP_USER, ":x\tjump=loop-b") + "\n"
                + sshd.line("loop-b", 3, SshdFleet.NP_USER, ":x\tjump=loop-a") + "\n"
                + sshd.line("orphan", 3, SshdFleet.NP_USER, ":x\tjump=nowhere") + "\n";
        Path cfg = sshd.writeConfig(home.resolve("cfg"), hosts, "");
        fleet = Fleets.open(cfg, home);
        knownHosts = fleet.config().knownHosts();
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static CommandResult run(String host) {
        return fleet.runner().run(fleet.machines().one(host), "whoami", Duration.ofSeconds(30), false, 4096);
    }

    @Test
    void oneAndTwoHopsReachTheTargetThroughTheRelay() throws Exception {
        CommandResult r = run("inner");
        assertNull(r.failure(), () -> r.failure().getMessage());
        assertEquals(SshdFleet.NP_USER + "\n", r.stdout());
        Machine inner = fleet.machines().one("inner");
        try (Lease lease = fleet.pool().acquire(inner, Deadline.after(Duration.ofSeconds(10)))) {
            java.net.SocketAddress a = lease.session().getConnectAddress();
            String viaHost = a instanceof SshdSocketAddress s
                    ? s.getHostName()
                    : ((java.net.InetSocketAddress) a).getHostString();
            int viaPort = a instanceof SshdSocketAddress s ? s.getPort() : ((java.net.InetSocketAddress) a).getPort();
            assertEquals("127.0.0.1", viaHost, "the inner session runs over the loopback relay");
            assertNotEquals(sshd.port, viaPort);
            assertTrue(
                    fleet.pool()
                                    .status(fleet.machines().one("fleet-1"))
                                    .orElseThrow()
                                    .inUse()
                            >= 1,
                    "the jump host's session is held while the inner one lives");
            String kh = Files.readString(knownHosts);
            assertFalse(kh.contains("[127.0.0.1]:" + viaPort), "no key recorded under the relay's address");
        }
        CommandResult chained = run("chained");
        assertNull(chained.failure(), () -> chained.failure().getMessage());
        assertEquals(SshdFleet.NP_USER + "\n", chained.stdout(), "a ProxyJump-style chain: fleet-1, then fleet-2");
        CommandResult two = run("inner2");
        assertNull(two.failure(), () -> two.failure().getMessage());
        assertEquals(SshdFleet.NP_USER + "\n", two.stdout());
    }

    @Test
    void loopsAndUnknownJumpHostsAreClearErrors() {
        FleetException loop = run("loop-a").failure();
        assertEquals(FleetException.Kind.BAD_ARGUMENT, loop.kind(), loop.getMessage());
        assertTrue(loop.getMessage().contains("loops"), loop.getMessage());
        FleetException orphan = run("orphan").failure();
        assertEquals(FleetException.Kind.UNKNOWN_HOST, orphan.kind());
        assertTrue(orphan.getMessage().contains("nowhere"), orphan.getMessage());
    }
}
