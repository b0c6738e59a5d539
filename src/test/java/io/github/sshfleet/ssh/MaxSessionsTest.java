package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.testing.ControlledSshd;
import io.github.sshfleet.testing.Eventually;
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

    static CommandResult run(FleetServices fleet, String command) {
        Machine m = fleet.machines().one("narrow");
        return fleet.runner().run(m, command, Duration.ofSeconds(30), false, 4096);
    }

    @Test
    void eightCallsOnAHostThatAllowsTwoSessionsAllCompleteOnOneConnection() throws Exception {
        FleetServices fleet = fleet(dir.resolve("eight"), "");
        ExecutorService ex = Executors.newFixedThreadPool(8);
        try {
            List<Callable<CommandResult>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String command = "sleep 0.4; echo " + i;
                calls.add(() -> run(fleet, command));
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

    /** "both running", or which mark is there and what each call returned so far. */
    private static String state(String mark, List<Future<CommandResult>> running) {
        boolean both = Files.exists(Path.of(mark + 0)) && Files.exists(Path.of(mark + 1));
        StringBuilder sb = new StringBuilder(both ? "both running" : "not both");
        for (int i = 0; i < running.size(); i++) {
            sb.append("; mark ").append(i).append(' ').append(Files.exists(Path.of(mark + i)) ? "there" : "absent");
            Future<CommandResult> f = running.get(i);
            if (!f.isDone()) {
                sb.append(", call running");
                continue;
            }
            try {
                CommandResult r = f.get();
                sb.append(", call returned ")
                        .append(
                                r.failure() == null
                                        ? "exit " + r.exitCode()
                                        : r.failure().getMessage());
            } catch (Exception e) {
                sb.append(", call threw ").append(e);
            }
        }
        return sb.toString();
    }

    @Test
    void aCallThatFindsNoSlotInTimeIsRefusedAloneAndTheRunningCommandsKeepTheirResults() throws Exception {
        // 3 s, not 1: a login from a cold JVM (this test alone) can take more than a second here.
        FleetServices fleet = fleet(dir.resolve("busy"), "connect_timeout: 3\n");
        ExecutorService ex = Executors.newFixedThreadPool(2);
        try {
            assertNull(run(fleet, "true").failure(), "connected before the race starts");
            // The host is this machine: each command leaves a mark once it runs, so the test knows both slots
            // are taken instead of guessing how long a connect takes.
            String mark = "/tmp/ssh-fleet-maxsessions-" + System.nanoTime() + "-";
            List<Future<CommandResult>> running = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String command = "touch " + mark + i + "; sleep 8; rm -f " + mark + i + "; echo done " + i;
                running.add(ex.submit(() -> run(fleet, command)));
            }
            // What each command is doing is part of the failure message: a CI run once saw only "false".
            Eventually.eventually(
                    Duration.ofSeconds(10),
                    () -> state(mark, running),
                    seen -> seen.startsWith("both running"),
                    "both long commands running");
            CommandResult refused = run(fleet, "echo never");
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
                CommandResult r = running.get(i).get();
                assertNull(r.failure(), () -> r.failure().getMessage());
                assertEquals("done " + i + "\n", r.stdout());
            }
            CommandResult after = run(fleet, "echo after");
            assertNull(after.failure(), () -> after.failure().getMessage());
            assertEquals(1, fleet.pool().connectsOpened(), "the session the refusal came on is the one still used");
        } finally {
            ex.shutdownNow();
            fleet.close();
        }
    }
}
