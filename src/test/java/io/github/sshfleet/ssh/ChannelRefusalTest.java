package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.config.ConfigLoader;
import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.fleet.MachineStore;
import io.github.sshfleet.testing.Eventually;
import io.github.sshfleet.testing.FaultServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host that refuses new channels (an sshd at its MaxSessions), with the pool on a test clock: the back-off between
 * tries is waited out on that clock, never slept, so its schedule and its limit (connect_timeout) are checked
 * exactly. The pooled session is kept through the refusals. The same behaviour against a real sshd with
 * "MaxSessions 2" is in {@link MaxSessionsTest}.
 */
class ChannelRefusalTest {

    @TempDir
    Path tmp;

    FaultServer server;
    ConnectionPool pool;
    CommandRunner runner;
    Machine machine;
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final List<Long> pauses = new CopyOnWriteArrayList<>();
    volatile boolean interruptPause; // the next pause is interrupted, as a cancelled call's thread is

    @BeforeEach
    void start() throws Exception {
        server = new FaultServer();
        Path hosts = tmp.resolve("hosts.tsv");
        Files.writeString(hosts, server.hostsLine("faulty"));
        Path cfg = tmp.resolve("config.yaml");
        Files.writeString(
                cfg, "auth_file: " + hosts + "\nknown_hosts: " + tmp.resolve("known_hosts") + "\nconnect_timeout: 5\n");
        ConfigLoader.Loaded loaded = ConfigLoader.load(cfg, true, tmp);
        FleetConfig config = loaded.config();
        MachineStore store = new MachineStore(config, tmp);
        store.loadHostsFile();
        machine = store.one("faulty");
        pool = new ConnectionPool(config, now::get, millis -> {
            if (interruptPause) {
                throw new InterruptedException("cancelled");
            }
            pauses.add(millis);
            now.addAndGet(millis * 1_000_000L);
        });
        runner = new CommandRunner(pool, config);
    }

    @AfterEach
    void stop() throws Exception {
        pool.close();
        server.close();
    }

    CommandResult echo() {
        return runner.run(machine, "echo", Duration.ofSeconds(30), false, 4096);
    }

    /**
     * A server that refused a channel gets no spare on that session again: its MaxSessions is small, and a spare
     * reopened after each exec took the slot a refused call was retrying for (CI: BUSY on a MaxSessions 2 host with
     * one command running). Before, the spare came back after the next exec.
     */
    @Test
    void afterARefusalTheSessionKeepsNoSpare() throws Exception {
        assertNull(echo().failure());
        Eventually.eventually(Duration.ofSeconds(5), server::idleChannels, n -> n == 1, "the spare opened");
        server.refuseSessionChannels(1); // the spare the next exec opens is the one refused
        assertNull(echo().failure()); // runs on the spare
        Eventually.eventually(
                Duration.ofSeconds(5), server::refusedSessionChannels, n -> n == 1, "the new spare refused");
        assertNull(echo().failure()); // a channel of its own
        Thread.sleep(300); // a spare opens within milliseconds on loopback
        assertEquals(0, server.idleChannels(), "no spare after a refusal");
        assertEquals(1, pool.connectsOpened(), "the same session throughout");
    }

    /**
     * A spare dropped after a refusal is closed on the server too, so its slot is free for the call that was refused.
     * Before, it was closed on the client only (MINA's immediate close sends nothing): the server kept counting it,
     * and on a MaxSessions 2 host a call was refused as busy for connect_timeout with one command running (CI).
     */
    @Test
    void aDroppedSpareIsClosedOnTheServerToo() throws Exception {
        assertNull(echo().failure());
        Eventually.eventually(Duration.ofSeconds(5), server::idleChannels, n -> n == 1, "the spare opened");
        try (Lease lease =
                pool.acquireSession(machine, io.github.sshfleet.core.Deadline.after(Duration.ofSeconds(5)))) {
            SpareChannel.discard(lease.session()); // what a refused channel open does
        }
        Eventually.eventually(
                Duration.ofSeconds(5), server::idleChannels, n -> n == 0, "the server's end of the spare closed");
        assertNull(echo().failure(), "and the session still runs commands");
    }

    @Test
    void refusedForConnectTimeoutTheCallIsBusyAndTheSessionStays() {
        server.refuseSessionChannels(-1);
        long started = System.nanoTime();
        CommandResult r = echo();
        long realMillis = (System.nanoTime() - started) / 1_000_000;

        assertNotNull(r.failure(), "refused for good, the call must fail");
        assertEquals(FleetException.Kind.BUSY, r.failure().kind());
        assertTrue(
                r.failure().getMessage().contains("Nothing was run"),
                r.failure().getMessage());
        // 25, 50 ... 200 ms, then 200 ms steps, the last one cut to what is left of connect_timeout (5 s).
        for (int i = 0; i < pauses.size() - 1; i++) {
            assertEquals(Math.min(25L * (i + 1), 200L), pauses.get(i), "pause " + i + " of " + pauses);
        }
        assertEquals(5_000L, pauses.stream().mapToLong(Long::longValue).sum(), "waited " + pauses);
        assertTrue(realMillis < 2_500, "the back-off was slept instead of waited on the pool's clock: " + realMillis);
        assertTrue(server.refusedSessionChannels() >= pauses.size() + 1);

        server.refuseSessionChannels(0);
        CommandResult again = echo();
        assertNull(again.failure(), "the host takes channels again");
        assertEquals("ok\n", again.stdout());
        assertEquals(1, server.activeSessions(), "the same connection carried both calls");
    }

    @Test
    void aFewRefusalsAreWaitedOutAndTheCommandRuns() {
        server.refuseSessionChannels(3);
        CommandResult r = echo();
        assertNull(r.failure(), "three refusals fit in connect_timeout");
        assertEquals("ok\n", r.stdout());
        assertTrue(pauses.size() <= 3, "pauses " + pauses);
        for (int i = 0; i < pauses.size(); i++) {
            assertEquals(25L * (i + 1), pauses.get(i), "pause " + i + " of " + pauses);
        }
        assertEquals(3, server.refusedSessionChannels());
        assertEquals(1, server.activeSessions(), "a refusal never drops the connection");
    }

    @Test
    void aCallInterruptedWhileWaitingIsCancelledWithNothingRun() {
        server.refuseSessionChannels(-1);
        interruptPause = true;
        CommandResult r = echo();
        Thread.interrupted(); // the flag the pool left set for this (the caller's) thread
        assertNotNull(r.failure());
        assertEquals(FleetException.Kind.CANCELLED, r.failure().kind());
        assertTrue(
                r.failure().getMessage().contains("nothing was run"),
                r.failure().getMessage());
        assertTrue(pauses.isEmpty(), "no wait after the interrupt: " + pauses);
    }
}
