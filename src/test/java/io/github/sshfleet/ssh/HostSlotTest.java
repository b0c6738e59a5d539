package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The pool's per-machine state machine with a fake clock and plain objects as sessions: back-off after failed
 * connects, recovery, idle eviction, retirement, and ten callers racing on a cold host. No sockets, no sleeps.
 */
class HostSlotTest {

    /** A session stand-in: open until closed. */
    static final class FakeSession {
        volatile boolean open = true;
    }

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final List<FakeSession> closed = new ArrayList<>();
    final HostSlot<FakeSession> slot = new HostSlot<>("web-1", 8, now::get, new HostSlot.Sessions<>() {
        @Override
        public boolean alive(FakeSession s) {
            return s.open;
        }

        @Override
        public void close(FakeSession s) {
            s.open = false;
            synchronized (closed) {
                closed.add(s);
            }
        }
    });
    final AtomicInteger connects = new AtomicInteger();

    void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    FakeSession lease(Supplier<FakeSession> connect) {
        assertTrue(slot.enter());
        try {
            return slot.session(Deadline.after(Duration.ofSeconds(5)), Runnable::run, true, () -> {
                connects.incrementAndGet();
                return connect.get();
            });
        } finally {
            slot.exit();
        }
    }

    static Supplier<FakeSession> refused() {
        return () -> {
            throw new FleetException(Kind.UNREACHABLE, "cannot reach web-1: connection refused");
        };
    }

    @Test
    void aFailedConnectIsRememberedBrieflyThenRetriedAndRecovers() {
        FleetException first = assertThrows(FleetException.class, () -> lease(refused()));
        assertEquals(Kind.UNREACHABLE, first.kind());
        assertEquals(HostSlot.State.FAILED, slot.snapshot().state());

        // Inside the back-off: the remembered error at once, saying when it is retried, and no new connect.
        advance(Duration.ofMillis(400));
        FleetException remembered = assertThrows(FleetException.class, () -> lease(FakeSession::new));
        assertEquals(Kind.UNREACHABLE, remembered.kind());
        assertTrue(remembered.getMessage().contains("connection refused"), remembered.getMessage());
        assertTrue(
                remembered.getMessage().contains("connects again on the first call after 0.6 s"),
                remembered.getMessage());
        assertThrows(FleetException.class, slot::checkBackoff);
        assertEquals(1, connects.get());

        // The host is back and the back-off has passed: the next call connects, and the failure is forgotten.
        advance(Duration.ofMillis(600));
        FakeSession s = lease(FakeSession::new);
        assertTrue(s.open);
        assertEquals(2, connects.get());
        HostSlot.Snapshot snap = slot.snapshot();
        assertEquals(HostSlot.State.READY, snap.state());
        assertEquals(0, snap.failures());
        assertSame(s, lease(FakeSession::new), "a ready session is reused");
        assertEquals(2, connects.get());
    }

    @Test
    void backoffGrowsWhileTheHostKeepsFailingAndIsCappedLow() {
        long[] expectedSeconds = {1, 2, 4, 8, 10, 10};
        for (long expected : expectedSeconds) {
            assertThrows(FleetException.class, () -> lease(refused()));
            assertEquals(TimeUnit.SECONDS.toNanos(expected), slot.snapshot().retryInNanos());
            advance(Duration.ofSeconds(expected));
        }
        assertEquals(6, slot.snapshot().failures());
        assertEquals(
                TimeUnit.SECONDS.toNanos(1 + 2 + 4 + 8 + 10 + 10),
                slot.snapshot().failingForNanos());
    }

    @Test
    void clearFailureLetsTheNextCallConnectAtOnce() {
        assertThrows(FleetException.class, () -> lease(refused()));
        slot.clearFailure();
        assertTrue(lease(FakeSession::new).open);
        assertEquals(2, connects.get());
    }

    @Test
    void aLeasedSessionIsNeverIdleAndAnUnusedOneClosesAfterIdleTimeout() {
        long idle = Duration.ofSeconds(20).toNanos();
        assertTrue(slot.enter()); // a caller holds it, e.g. a fan-out host still running
        FakeSession s = slot.session(Deadline.after(Duration.ofSeconds(5)), Runnable::run, true, FakeSession::new);
        advance(Duration.ofMinutes(10));
        assertEquals(Long.MAX_VALUE, slot.closeIfIdle(now.get(), idle));
        assertTrue(s.open, "a session in use must not be closed as idle");
        slot.exit();

        advance(Duration.ofSeconds(5));
        assertEquals(Duration.ofSeconds(15).toNanos(), slot.closeIfIdle(now.get(), idle));
        assertTrue(s.open);
        advance(Duration.ofSeconds(15));
        slot.closeIfIdle(now.get(), idle);
        assertFalse(s.open);
        assertEquals(HostSlot.State.EMPTY, slot.snapshot().state());
    }

    @Test
    void aDeadSessionIsReplacedOnTheNextLease() {
        FakeSession first = lease(FakeSession::new);
        first.open = false; // the connection dropped
        FakeSession second = lease(FakeSession::new);
        assertTrue(second.open);
        assertEquals(2, connects.get());
        slot.evict(second);
        assertFalse(second.open);
        assertEquals(HostSlot.State.EMPTY, slot.snapshot().state());
    }

    @Test
    void anUnusedSlotRetiresAndThenRefusesNewCallers() {
        long keep = Duration.ofSeconds(20).toNanos();
        assertFalse(slot.retireIfUnused(now.get(), keep), "just created: kept");
        assertTrue(slot.enter());
        advance(Duration.ofMinutes(1));
        assertFalse(slot.retireIfUnused(now.get(), keep), "has a user");
        slot.exit();
        advance(Duration.ofMinutes(1));
        assertTrue(slot.retireIfUnused(now.get(), keep));
        assertFalse(slot.enter(), "a retired slot sends callers back to the pool for a fresh one");
    }

    @Test
    void aConnectThatLandsAfterTheSlotClosedIsClosedAndNotHandedOut() throws Exception {
        List<Runnable> queued = new ArrayList<>();
        assertTrue(slot.enter());
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<FleetException> outcome = caller.submit(() -> assertThrows(
                    FleetException.class,
                    () -> slot.session(Deadline.after(Duration.ofSeconds(5)), queued::add, false, FakeSession::new)));
            while (true) {
                synchronized (queued) {
                    if (!queued.isEmpty()) {
                        break;
                    }
                }
                Thread.onSpinWait();
            }
            slot.close(); // invalidated (reload) while the connect was in flight
            queued.get(0).run();
            assertEquals(Kind.CONNECTION_LOST, outcome.get(5, TimeUnit.SECONDS).kind());
            assertEquals(1, closed.size());
            assertFalse(closed.get(0).open);
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void tenCallersRacingOnAColdHostShareOneConnect() throws Exception {
        ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();
        ExecutorService callers = Executors.newFixedThreadPool(10);
        CountDownLatch entered = new CountDownLatch(10);
        List<Future<FakeSession>> got = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                got.add(callers.submit(() -> {
                    assertTrue(slot.enter());
                    entered.countDown();
                    try {
                        return slot.session(Deadline.after(Duration.ofSeconds(10)), queued::add, false, () -> {
                            connects.incrementAndGet();
                            return new FakeSession();
                        });
                    } finally {
                        slot.exit();
                    }
                }));
            }
            assertTrue(entered.await(5, TimeUnit.SECONDS));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (queued.isEmpty() && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertEquals(HostSlot.State.CONNECTING, slot.snapshot().state());
            queued.poll().run();
            FakeSession first = got.get(0).get(5, TimeUnit.SECONDS);
            for (Future<FakeSession> f : got) {
                assertSame(first, f.get(5, TimeUnit.SECONDS));
            }
            assertEquals(1, connects.get());
            assertTrue(queued.isEmpty(), "exactly one connect was started");
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void backoffStepsAreDefinedOnce() {
        assertEquals(TimeUnit.SECONDS.toNanos(1), HostSlot.backoffNanos(1));
        assertEquals(TimeUnit.SECONDS.toNanos(10), HostSlot.backoffNanos(60));
    }
}
