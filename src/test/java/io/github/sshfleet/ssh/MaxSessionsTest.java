package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.testing.ControlledSshd;
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

/**
 * A host whose sshd allows fewer sessions per connection (MaxSessions) than ssh-fleet's channel cap: the extra calls
 * wait for a free slot instead of failing, and a call that cannot get one in time is refused on its own, leaving
 * the commands already running there alone. Before, the fifth refusal in a row dropped the pooled session, and every
 * command on it was reported as "dropped while running; it may or may not have completed".
 */
@RequiresSshd
class MaxSessionsTest {

    @TempDir
    static Path dir;

    static SshdFleet sshd;
    static ControlledSshd narrow;

    @BeforeAll
    static void start() throws Exception {
        sshd = SshdFleet.get();
        narrow = sshd.controlled("narrow-" + System.nanoTime(), List.of("127.0.6.50"), List.of("MaxSessions 2"));
    }

    @AfterAll
    static void stop() {
        if (narrow != null) {
            narrow.close();
        }
    }

    static FleetServices fleet(Path home, String yaml) throws Exception {
        String line = "narrow\t127.0.6.50:" + narrow.port() + "\t" + SshdFleet.NP_USER + ":" + sshd.npPassword + "\n";
        Path cfg = sshd.writeConfig(home.resolve("cfg"), line, yaml);
        Path kh = home.resolve("cfg").resolve("known_hosts");
        Files.writeString(kh, Files.readString(kh) + narrow.knownHostsLines(sshd.hostKeyLine));
        return Fleets.open(cfg, home);
    }

    @Test
    void eightCallsOnAHostThatAllowsTwoSessionsAllCompleteOnOneConnection() throws Exception {
        FleetServices fleet = fleet(dir.resolve("eight"), "");
        ExecutorService ex = Executors.newFixedThreadPool(8);
        try {
            Machine m = fleet.machines().one("narrow");
            List<Callable<CommandResult>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                calls.add(() -> fleet.runner().run(m, "sleep 0.4; echo " + n, Duration.ofSeconds(30), false, 4096));
            }
            List<Future<CommandResult>> results = ex.invokeAll(calls);
            for (int i = 0; i < 8; i++) {
                CommandResult r = results.get(i).get();
                assertNull(r.failure(), () -> r.failure().getMessage());
                assertEquals(i + "\n", r.stdout());
            }
            assertEquals(1, fleet.pool().connectsOpened(), "refusals are waited out, never a reason to reconnect");
        } finally {
            ex.shutdownNow();
            fleet.close();
        }
    }

    @Test
    void aCallThatFindsNoSlotInTimeIsRefusedAloneAndTheRunningCommandsKeepTheirResults() throws Exception {
        FleetServices fleet = fleet(dir.resolve("busy"), "connect_timeout: 1\n");
        ExecutorService ex = Executors.newFixedThreadPool(2);
        try {
            Machine m = fleet.machines().one("narrow");
            List<Future<CommandResult>> long_ = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int n = i;
                long_.add(ex.submit(
                        () -> fleet.runner().run(m, "sleep 4; echo done " + n, Duration.ofSeconds(30), false, 4096)));
            }
            Thread.sleep(800); // both running: the host's two slots are taken
            CommandResult refused = fleet.runner().run(m, "echo never", Duration.ofSeconds(30), false, 4096);
            assertNotNull(refused.failure(), "a third session on a MaxSessions 2 host cannot start");
            assertEquals(
                    FleetException.Kind.BUSY,
                    refused.failure().kind(),
                    refused.failure().getMessage());
            assertTrue(
                    refused.failure().getMessage().contains("MaxSessions"),
                    refused.failure().getMessage());
            assertTrue(
                    refused.failure().getMessage().contains("Nothing was run"),
                    refused.failure().getMessage());
            for (int i = 0; i < 2; i++) {
                CommandResult r = long_.get(i).get();
                assertNull(r.failure(), () -> r.failure().getMessage());
                assertEquals("done " + i + "\n", r.stdout());
            }
            CommandResult after = fleet.runner().run(m, "echo after", Duration.ofSeconds(30), false, 4096);
            assertNull(after.failure(), () -> after.failure().getMessage());
            assertEquals(1, fleet.pool().connectsOpened(), "the session the refusal came on is the one still used");
        } finally {
            ex.shutdownNow();
            fleet.close();
        }
    }
}
