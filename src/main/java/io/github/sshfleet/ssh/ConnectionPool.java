package io.github.sshfleet.ssh;

import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.core.Daemons;
import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.sshd.client.channel.PtyCapableChannelSession;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.PtyChannelConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's façade: one authenticated session per machine, shared by every call. Each call takes a {@link Lease}:
 * usually a channel permit (per-host cap below OpenSSH's MaxSessions; extra calls queue until their deadline) plus a
 * live session; a port forward takes the session only. Each machine's state lives in a {@link HostSlot} (connecting,
 * ready, failed with a short back-off, closed); when many calls race to a cold host exactly one connects and the
 * others wait for it. Connects run on a small fixed pool sized to the CPU, because key exchange is CPU-bound and
 * hundreds of them at once all finish late together. Sessions nobody has used for idle_timeout are closed by
 * {@link #cleanup(long)}; a session with a lease out is never idle. Time comes from the injected clock.
 */
public final class ConnectionPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);

    /**
     * Connects in flight at once. A key exchange costs tens of ms of CPU (more with the post-quantum one), so a few
     * per core keep them all well inside connect_timeout; WAN latency is waited out by the others meanwhile.
     */
    static final int PARALLEL_CONNECTS = Math.max(8, 8 * Runtime.getRuntime().availableProcessors());
    /** How long a caller may wait in line for its host's connect to start, on top of connect_timeout itself. */
    static final Duration CONNECT_QUEUE_ALLOWANCE = Duration.ofSeconds(30);

    private static final ThreadLocal<Boolean> CONNECT_WORKER = ThreadLocal.withInitial(() -> false);

    /** A snapshot of one machine's pooled connection, for list_machines. */
    public record Status(
            String state,
            boolean connected,
            int inUse,
            long idleMillis,
            String lastError,
            String errorKind,
            long failingForMillis,
            long retryInMillis,
            int failures) {}

    private final ForwardTargets forwardTargets = new ForwardTargets();
    private final ClientSetup client;
    private final FleetConfig config;
    private final long idleNanos;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    private final Map<Machine.ConnectionKey, HostSlot<ClientSession>> slots = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper;
    private final ThreadPoolExecutor connects;
    private final AtomicInteger connectsOpened = new AtomicInteger();
    private volatile boolean closed;

    /** How the pool waits out a back-off; tests pass one that moves their clock instead of sleeping. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    public ConnectionPool(FleetConfig config) {
        this(config, System::nanoTime, Thread::sleep);
    }

    ConnectionPool(FleetConfig config, LongSupplier clock, Sleeper sleeper) {
        this.config = config;
        this.clock = clock;
        this.sleeper = sleeper;
        this.idleNanos = config.idleTimeout().toNanos();
        this.client = new ClientSetup(
                () -> new Connector(SshClients.create(config, forwardTargets::allows), config, this),
                slots::isEmpty, // a slot exists once any call asked for a session
                c -> {
                    if (ConnectRehearsal.enabled()) {
                        ConnectRehearsal.run(c);
                    }
                });
        this.reaper = Executors.newSingleThreadScheduledExecutor(Daemons.factory("ssh-fleet-pool-reaper", false));
        this.connects = new ThreadPoolExecutor(
                PARALLEL_CONNECTS,
                PARALLEL_CONNECTS,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                Daemons.factory("ssh-fleet-connect", true));
        this.connects.allowCoreThreadTimeOut(true);
        scheduleCleanup(Math.min(idleNanos, TimeUnit.SECONDS.toNanos(30)));
    }

    /** A deadline for getting a session: the host's own connect_timeout plus time to wait for a turn to connect. */
    public Deadline sessionDeadline() {
        return Deadline.after(config.connectTimeout().plus(CONNECT_QUEUE_ALLOWANCE));
    }

    /** Takes a channel permit and a live session, connecting if needed; all within the deadline. */
    public Lease acquire(Machine machine, Deadline deadline) {
        return acquire(machine, deadline, true);
    }

    /**
     * Takes a live session without a channel permit: for what holds the session rather than running a command on
     * it (a port forward), so idle forwards never use up a host's command slots.
     */
    public Lease acquireSession(Machine machine, Deadline deadline) {
        return acquire(machine, deadline, false);
    }

    private Lease acquire(Machine machine, Deadline deadline, boolean withPermit) {
        while (true) {
            if (closed) {
                throw new FleetException(FleetException.Kind.CONNECTION_LOST, "ssh-fleet is shutting down");
            }
            HostSlot<ClientSession> slot = slots.computeIfAbsent(machine.connectionKey(), k -> newSlot(machine));
            if (!slot.enter()) {
                slots.remove(machine.connectionKey(), slot); // retired meanwhile: take a fresh one
                continue;
            }
            boolean permit = false;
            try {
                slot.checkBackoff(); // a host that just failed answers at once, before queueing for a permit
                if (withPermit) {
                    slot.takePermit(
                            deadline,
                            () -> new FleetException(
                                    FleetException.Kind.BUSY,
                                    machine.name()
                                            + " already has " + config.maxChannelsPerHost()
                                            + " commands running through ssh-fleet and "
                                            + "none finished in time; wait for them or raise max_channels_per_host (stay below the "
                                            + "server's MaxSessions)."));
                    permit = true;
                }
                ClientSession s = slot.session(deadline, connects, CONNECT_WORKER.get(), () -> connect(machine, slot));
                return new Lease(slot, s, permit);
            } catch (RuntimeException e) {
                if (permit) {
                    slot.returnPermit();
                }
                slot.exit();
                throw e;
            }
        }
    }

    private HostSlot<ClientSession> newSlot(Machine machine) {
        return new HostSlot<>(machine.name(), config.maxChannelsPerHost(), clock, new HostSlot.Sessions<>() {
            @Override
            public boolean alive(ClientSession s) {
                return s.isOpen() && !s.isClosing();
            }

            @Override
            public void close(ClientSession s) {
                try {
                    s.close(true);
                } catch (RuntimeException e) {
                    log.debug("close", e);
                }
            }
        });
    }

    /** One connect attempt, on a connect worker: its own connect_timeout starts now, not when the caller queued. */
    private ClientSession connect(Machine machine, HostSlot<ClientSession> slot) {
        boolean wasWorker = CONNECT_WORKER.get();
        CONNECT_WORKER.set(true);
        try {
            connectsOpened.incrementAndGet();
            Deadline d = Deadline.after(config.connectTimeout());
            ClientSession s = client.get(d).connect(machine, d);
            s.addCloseFutureListener(f -> slot.evict(s)); // a dropped connection frees the slot at once
            for (java.util.function.Consumer<Machine> l : connectListeners) {
                try {
                    l.accept(machine);
                } catch (RuntimeException e) {
                    log.warn("connect listener failed for {}", machine.name(), e);
                }
            }
            return s;
        } catch (IOException e) {
            throw new FleetException(
                    FleetException.Kind.UNREACHABLE, "cannot connect to " + machine.name() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException(FleetException.Kind.TIMEOUT, "interrupted connecting to " + machine.name());
        } finally {
            CONNECT_WORKER.set(wasWorker);
        }
    }

    private volatile java.util.function.Function<String, Machine> machines = name -> {
        throw new FleetException(FleetException.Kind.UNKNOWN_HOST, "unknown jump host '" + name + "'");
    };

    private final List<java.util.function.Consumer<Machine>> connectListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Told of every new session (on the connect thread: must return quickly), e.g. to sweep a transfer's litter. */
    public void onConnected(java.util.function.Consumer<Machine> listener) {
        connectListeners.add(listener);
    }

    /** How jump= names are looked up (the machine store); set once when services are wired. */
    public void resolveMachinesWith(java.util.function.Function<String, Machine> lookup) {
        this.machines = lookup;
    }

    Machine resolveJump(Machine m) {
        try {
            return machines.apply(m.jump());
        } catch (FleetException e) {
            throw new FleetException(
                    FleetException.Kind.UNKNOWN_HOST,
                    m.name() + " names jump host '" + m.jump() + "', which is not a known machine (" + e.getMessage()
                            + "). Fix jump= in " + m.source() + ".");
        }
    }

    /** Lets hosts connect to this local address through remote port forwards (forward_start remote). */
    public void allowForwardTarget(org.apache.sshd.common.util.net.SshdSocketAddress target) {
        forwardTargets.allow(target);
    }

    public void revokeForwardTarget(org.apache.sshd.common.util.net.SshdSocketAddress target) {
        forwardTargets.revoke(target);
    }

    /** Opens one channel (exec, SFTP, shell...) on a live session; see {@link #openChannel}. */
    @FunctionalInterface
    public interface ChannelOpener<T> {
        /** Creates, configures and opens the channel; on failure it closes whatever it created and throws. */
        T open(ClientSession session, Deadline deadline) throws IOException;
    }

    /** A lease together with the channel opened on it. Closing it closes neither the channel nor the session. */
    public record Opened<T>(Lease lease, T channel) {}

    /**
     * A channel with a terminal: {@code command} run on a PTY, or the login shell when it is null (what network
     * devices want). Output and errors both go to {@code out}, as on a real terminal.
     */
    public Opened<PtyCapableChannelSession> openTerminal(
            Machine m, Deadline deadline, String command, PtyChannelConfiguration pty, OutputStream out) {
        return openChannel(m, deadline, (session, d) -> {
            PtyCapableChannelSession ch = command == null
                    ? session.createShellChannel(pty, Map.of())
                    : session.createExecChannel(command, pty, Map.of());
            try {
                ch.setUsePty(true); // an exec channel has none unless asked
                ch.setOut(out);
                ch.setErr(out);
                if (!ch.open().verify(d.waitMillis()).isOpened()) {
                    throw new IOException("terminal channel did not open");
                }
                return ch;
            } catch (IOException | RuntimeException e) {
                ch.close(true);
                throw e;
            }
        });
    }

    /**
     * Takes a lease and opens a channel on it, within the deadline; see {@link ChannelOpening} for the retries. The
     * caller closes the channel, then the lease.
     */
    public <T> Opened<T> openChannel(Machine m, Deadline deadline, ChannelOpener<T> opener) {
        return ChannelOpening.open(this, m, deadline, config.connectTimeout(), opener);
    }

    RefusalBackoff refusalBackoff(Duration limit) {
        return new RefusalBackoff(clock, limit);
    }

    /** Waits on the pool's sleeper; false when interrupted (the flag stays set for the caller). */
    boolean pause(long millis) {
        try {
            sleeper.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Closes the session for a machine whose address or credentials changed (reload, add_host overwrite). */
    public void invalidate(Machine.ConnectionKey key) {
        HostSlot<ClientSession> slot = slots.remove(key);
        if (slot != null) {
            slot.close();
        }
    }

    /** reload_machines: forget remembered connect failures, so every machine is tried again on its next call. */
    public void clearFailures() {
        slots.values().forEach(HostSlot::clearFailure);
    }

    public Optional<Status> status(Machine machine) {
        HostSlot<ClientSession> slot = slots.get(machine.connectionKey());
        if (slot == null) {
            return Optional.empty();
        }
        HostSlot.Snapshot s = slot.snapshot();
        FleetException e = s.lastError();
        return Optional.of(new Status(
                s.state().name().toLowerCase(java.util.Locale.ROOT),
                s.state() == HostSlot.State.READY,
                s.users(),
                TimeUnit.NANOSECONDS.toMillis(s.idleNanos()),
                e == null ? null : e.getMessage(),
                e == null ? null : e.kind().name().toLowerCase(java.util.Locale.ROOT),
                TimeUnit.NANOSECONDS.toMillis(s.failingForNanos()),
                TimeUnit.NANOSECONDS.toMillis(s.retryInNanos()),
                s.failures()));
    }

    /** Sessions open right now (for the shutdown log line). */
    public int openSessions() {
        return (int) slots.values().stream().filter(s -> s.current() != null).count();
    }

    /** How many connections have been attempted in all; tests use it to prove races open exactly one. */
    public int connectsOpened() {
        return connectsOpened.get();
    }

    /**
     * Closes sessions idle for idle_timeout and drops slots that hold nothing; returns nanoseconds until the next one
     * could expire. Time is passed in so tests can drive it without sleeping.
     */
    public long cleanup(long nowNanos) {
        long next = idleNanos;
        for (Map.Entry<Machine.ConnectionKey, HostSlot<ClientSession>> e : slots.entrySet()) {
            HostSlot<ClientSession> slot = e.getValue();
            next = Math.min(next, slot.closeIfIdle(nowNanos, idleNanos));
            if (slot.retireIfUnused(nowNanos, idleNanos)) {
                slots.remove(e.getKey(), slot);
            }
        }
        return next;
    }

    private void scheduleCleanup(long delayNanos) {
        if (closed) {
            return;
        }
        // Floor on the delay: without it a session expiring "now" would make the reaper spin.
        long delay = Math.max(delayNanos, TimeUnit.SECONDS.toNanos(1));
        reaper.schedule(
                () -> {
                    long next = idleNanos;
                    try {
                        next = cleanup(clock.getAsLong());
                    } catch (RuntimeException e) {
                        log.warn("pool cleanup failed", e);
                    }
                    scheduleCleanup(next);
                },
                delay,
                TimeUnit.NANOSECONDS);
    }

    /** Starts building the SSH client in the background (see {@link ClientSetup}); later calls do nothing. */
    public void prepare() {
        client.start();
    }

    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        connects.shutdownNow();
        List<HostSlot<ClientSession>> all = new ArrayList<>(slots.values());
        slots.clear();
        all.forEach(HostSlot::close);
        client.stop();
    }
}
