package io.github.sshfleet.ssh;

import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One machine's place in the pool: an explicit state machine whose transitions all happen under this object's lock
 * (as HikariCP's PoolEntry does with a CAS), so a session handed to a caller can never be closed as idle in the same
 * instant, and a failed connect is remembered for a short, growing back-off instead of forever.
 *
 * <pre>
 *   EMPTY --lease--> CONNECTING --ok--> READY --idle/evict/dropped--> EMPTY
 *                          \--failed--> FAILED --(retry time passed) lease--> CONNECTING
 *   any state --invalidate/retire/pool close--> CLOSED (terminal: callers take a fresh slot)
 * </pre>
 *
 * {@code users} counts callers that entered the slot (waiting for a permit or a session, or holding a lease); a
 * slot with users is never idle and never retired. Time comes from the injected clock; blocking waits use the
 * callers' deadlines. {@code S} is the session type, so the state machine is unit-tested with plain objects.
 */
final class HostSlot<S> {

    enum State {
        EMPTY,
        CONNECTING,
        READY,
        FAILED,
        CLOSED
    }

    /** How the slot sees a session: whether it still works, and how to close it. */
    interface Sessions<S> {
        boolean alive(S session);

        void close(S session);
    }

    /** A read-only view for list_machines. Times are relative to the snapshot's clock reading. */
    record Snapshot(
            State state,
            int users,
            long idleNanos,
            FleetException lastError,
            long failingForNanos,
            long retryInNanos,
            int failures) {}

    static final long BACKOFF_BASE_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long BACKOFF_CAP_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String name;
    private final Sessions<S> sessions;
    private final LongSupplier clock;
    private final Semaphore permits;

    // All guarded by this.
    private State state = State.EMPTY;
    private S session;
    private CompletableFuture<S> connecting;
    private FleetException lastError;
    private long failingSinceNanos;
    private long retryAtNanos;
    private int failures;
    private int users;
    private long lastUsedNanos;

    HostSlot(String name, int permits, LongSupplier clock, Sessions<S> sessions) {
        this.name = name;
        this.sessions = sessions;
        this.clock = clock;
        this.permits = new Semaphore(permits, true);
        this.lastUsedNanos = clock.getAsLong();
    }

    /** Back-off after {@code failures} consecutive failed connects: 1 s, 2 s, 4 s, 8 s, then 10 s. */
    static long backoffNanos(int failures) {
        int shift = Math.min(Math.max(failures - 1, 0), 20);
        return Math.min(BACKOFF_CAP_NANOS, BACKOFF_BASE_NANOS << shift);
    }

    /** Registers a caller; false if the slot is closed (take a fresh one from the pool). */
    synchronized boolean enter() {
        if (state == State.CLOSED) {
            return false;
        }
        users++;
        return true;
    }

    /** The caller is done (its lease closed, or it gave up). */
    synchronized void exit() {
        users = Math.max(0, users - 1);
        lastUsedNanos = clock.getAsLong();
    }

    /** Fails at once while a recent connect failure is being remembered. */
    synchronized void checkBackoff() {
        if (state == State.FAILED && clock.getAsLong() - retryAtNanos < 0) {
            throw remembered(clock.getAsLong());
        }
    }

    /** Takes a channel permit (calls queue fairly) within the deadline. */
    void takePermit(Deadline deadline, Supplier<FleetException> busy) {
        try {
            if (!permits.tryAcquire(deadline.remainingMillis(), TimeUnit.MILLISECONDS)) {
                throw busy.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException(Kind.TIMEOUT, "interrupted while waiting for " + name);
        }
    }

    void returnPermit() {
        permits.release();
    }

    /**
     * A live session: the ready one, the one being connected (waited for within the deadline), or a new connect
     * started on {@code executor} (inline when {@code inline}: a connect worker must not wait for its own pool).
     * {@code connect} runs the attempt with its own connect deadline.
     */
    S session(Deadline deadline, Executor executor, boolean inline, Supplier<S> connect) {
        while (true) {
            CompletableFuture<S> f;
            Runnable task = null;
            S dead = null;
            synchronized (this) {
                switch (state) {
                    case CLOSED ->
                        throw new FleetException(
                                Kind.CONNECTION_LOST,
                                "the pooled connection to " + name
                                        + " was closed (machine changed, removed, or ssh-fleet shutting down); retry the call");
                    case READY -> {
                        if (sessions.alive(session)) {
                            return session;
                        }
                        dead = session;
                        session = null;
                        state = State.EMPTY;
                    }
                    case FAILED -> {
                        if (clock.getAsLong() - retryAtNanos < 0) {
                            throw remembered(clock.getAsLong());
                        }
                    }
                    default -> {}
                }
                if (state == State.CONNECTING) {
                    f = connecting;
                } else {
                    CompletableFuture<S> fresh = new CompletableFuture<>();
                    connecting = fresh;
                    state = State.CONNECTING;
                    f = fresh;
                    task = () -> attempt(fresh, connect);
                }
            }
            if (dead != null) {
                sessions.close(dead);
            }
            if (task != null) {
                start(task, f, executor, inline);
            }
            await(f, deadline);
            // Connected (or someone else's connect finished): loop to take it under the lock, or to see why not.
        }
    }

    private void start(Runnable task, CompletableFuture<S> f, Executor executor, boolean inline) {
        if (inline) {
            task.run();
            return;
        }
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            failed(f, new FleetException(Kind.CONNECTION_LOST, "ssh-fleet is shutting down"));
        }
    }

    private void attempt(CompletableFuture<S> f, Supplier<S> connect) {
        S s;
        try {
            s = connect.get();
        } catch (FleetException e) {
            failed(f, e);
            return;
        } catch (RuntimeException | Error e) {
            failed(f, new FleetException(Kind.UNREACHABLE, "connecting to " + name + " failed unexpectedly: " + e, e));
            return;
        }
        boolean kept;
        synchronized (this) {
            kept = state == State.CONNECTING && connecting == f;
            if (kept) {
                state = State.READY;
                session = s;
                connecting = null;
                failures = 0;
                lastError = null;
                lastUsedNanos = clock.getAsLong();
            }
        }
        if (!kept) {
            sessions.close(s); // the slot was closed while this connect ran: nobody may use it
        }
        f.complete(s);
    }

    private void failed(CompletableFuture<S> f, FleetException e) {
        synchronized (this) {
            if (state == State.CONNECTING && connecting == f) {
                long now = clock.getAsLong();
                if (failures == 0) {
                    failingSinceNanos = now;
                }
                failures++;
                lastError = e;
                retryAtNanos = now + backoffNanos(failures);
                state = State.FAILED;
                connecting = null;
            }
        }
        f.completeExceptionally(e);
    }

    private void await(CompletableFuture<S> f, Deadline deadline) {
        try {
            f.get(deadline.waitMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FleetException fe) {
                throw fe;
            }
            throw new FleetException(Kind.UNREACHABLE, "cannot connect to " + name + ": " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new FleetException(
                    Kind.TIMEOUT,
                    "timed out waiting for the connection to " + name
                            + ": it is still being set up (many hosts connecting at once queue for a turn); retry shortly");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException(Kind.TIMEOUT, "interrupted connecting to " + name);
        }
    }

    /** The remembered failure, told as such, with when the next attempt will be made. */
    private FleetException remembered(long now) {
        long inMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(retryAtNanos - now));
        long forS = TimeUnit.NANOSECONDS.toSeconds(now - failingSinceNanos);
        return new FleetException(
                lastError.kind(),
                lastError.getMessage() + " [not retried yet: " + failures
                        + (failures == 1 ? " failed attempt" : " failed attempts in a row") + " over the last " + forS
                        + " s; ssh-fleet connects again on the first call after " + String.format("%.1f", inMs / 1000.0)
                        + " s, or at once after reload_machines]",
                lastError);
    }

    /** The session proved dead (a channel would not open on it): forget it so the next lease reconnects. */
    void evict(S s) {
        boolean mine;
        synchronized (this) {
            mine = state == State.READY && session == s;
            if (mine) {
                session = null;
                state = State.EMPTY;
            }
        }
        sessions.close(s);
    }

    /** reload_machines: forget a remembered failure so the next call connects at once. */
    synchronized void clearFailure() {
        if (state == State.FAILED) {
            state = State.EMPTY;
            failures = 0;
            lastError = null;
        }
    }

    /**
     * Closes the session if nobody has used it for {@code idleNanos}; returns nanoseconds until it could next expire
     * (Long.MAX_VALUE: nothing to watch).
     */
    long closeIfIdle(long now, long idleNanos) {
        S idle;
        synchronized (this) {
            if (state != State.READY || users > 0) {
                return Long.MAX_VALUE;
            }
            long left = idleNanos - (now - lastUsedNanos);
            if (left > 0 && sessions.alive(session)) {
                return left;
            }
            idle = session;
            session = null;
            state = State.EMPTY;
        }
        sessions.close(idle);
        return Long.MAX_VALUE;
    }

    /**
     * Closes the slot for good if it holds nothing worth keeping (no users, no session, no connect, no failure
     * younger than {@code keepNanos}), so the pool's map stays bounded; true if it did.
     */
    synchronized boolean retireIfUnused(long now, long keepNanos) {
        boolean empty = state == State.EMPTY || (state == State.FAILED && now - retryAtNanos >= keepNanos);
        if (users > 0 || !empty || now - lastUsedNanos < keepNanos) {
            return false;
        }
        state = State.CLOSED;
        return true;
    }

    /** Closes the slot: its session now, a connect in flight when it lands. Later callers take a fresh slot. */
    void close() {
        S s;
        synchronized (this) {
            s = session;
            session = null;
            connecting = null;
            state = State.CLOSED;
        }
        if (s != null) {
            sessions.close(s);
        }
    }

    synchronized S current() {
        return state == State.READY ? session : null;
    }

    synchronized Snapshot snapshot() {
        long now = clock.getAsLong();
        return new Snapshot(
                state,
                users,
                users > 0 ? 0 : now - lastUsedNanos,
                lastError,
                failures > 0 ? now - failingSinceNanos : 0,
                state == State.FAILED ? Math.max(0, retryAtNanos - now) : 0,
                failures);
    }
}
