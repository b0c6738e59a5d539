package io.github.sshfleet.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.client.channel.PtyCapableChannelSession;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.PtyChannelConfiguration;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.sshfleet.Daemons;
import io.github.sshfleet.Deadline;
import io.github.sshfleet.FleetException;
import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.fleet.Machine;

/**
 * One authenticated session per machine, shared by every call. Each call takes a {@link Lease}: a channel permit
 * (per-host cap below OpenSSH's MaxSessions, extra calls queue until their deadline) plus a live session. When many
 * calls race to a cold host exactly one connects; the others wait on the same future. Sessions nobody has used for
 * idle_timeout are closed by {@link #cleanup(long)}; a session with a lease out (a running command, an open shell)
 * is never idle.
 */
public final class ConnectionPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);

    /** A snapshot of one machine's pooled connection, for list_machines. */
    public record Status(boolean connected, int inUse, long idleMillis) {}

    /**
     * Built on a background thread by {@link #prepare}: MINA and BouncyCastle set-up takes a good part of a second of
     * CPU, and the MCP handshake (initialize, tools/list) needs neither. The first connect waits for it if it is not
     * ready yet.
     */
    private final CompletableFuture<Connector> connector = new CompletableFuture<>();
    private final AtomicBoolean preparing = new AtomicBoolean();
    private final FleetConfig config;
    private final long idleNanos;
    private final Map<Machine.ConnectionKey, Entry> entries = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper;
    private final AtomicInteger connectsOpened = new AtomicInteger();
    private volatile boolean closed;

    public ConnectionPool(FleetConfig config) {
        this.config = config;
        this.idleNanos = config.idleTimeout().toNanos();
        this.reaper = Executors.newSingleThreadScheduledExecutor(Daemons.factory("ssh-fleet-pool-reaper", false));
        scheduleCleanup(Math.min(idleNanos, TimeUnit.SECONDS.toNanos(30)));
    }

    /** A channel permit and a live session for one machine. Close it when the channel is done. */
    public final class Lease implements AutoCloseable {
        private final Entry entry;
        private final ClientSession session;
        private boolean released;

        private Lease(Entry entry, ClientSession session) {
            this.entry = entry;
            this.session = session;
        }

        public ClientSession session() {
            return session;
        }

        /** The session proved dead (channel open failed): drop it so the next acquire reconnects. */
        public void evict() {
            entry.evict(session);
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                entry.lastUsedNanos = System.nanoTime();
                entry.inUse.decrementAndGet();
                entry.channels.release();
            }
        }
    }

    /** Takes a channel permit and a live session, connecting if needed; all within the deadline. */
    public Lease acquire(Machine machine, Deadline deadline) {
        if (closed) {
            throw new FleetException(FleetException.Kind.CONNECTION_LOST, "ssh-fleet is shutting down");
        }
        Entry entry = entries.computeIfAbsent(machine.connectionKey(), k -> new Entry());
        try {
            if (!entry.channels.tryAcquire(deadline.remainingMillis(), TimeUnit.MILLISECONDS)) {
                throw new FleetException(FleetException.Kind.BUSY, machine.name() + " already has "
                        + config.maxChannelsPerHost() + " commands running through ssh-fleet and none finished in time; "
                        + "wait for them or raise max_channels_per_host (stay below the server's MaxSessions).");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException(FleetException.Kind.TIMEOUT, "interrupted while waiting for " + machine.name());
        }
        entry.inUse.incrementAndGet();
        try {
            return new Lease(entry, entry.session(machine, deadline));
        } catch (RuntimeException e) {
            entry.inUse.decrementAndGet();
            entry.channels.release();
            throw e;
        }
    }

    private final java.util.Set<String> forwardTargets = ConcurrentHashMap.newKeySet();
    private volatile java.util.function.Function<String, Machine> machines = name -> {
        throw new FleetException(FleetException.Kind.UNKNOWN_HOST, "unknown jump host '" + name + "'");
    };

    /** How jump= names are looked up (the machine store); set once when services are wired. */
    public void resolveMachinesWith(java.util.function.Function<String, Machine> lookup) {
        this.machines = lookup;
    }

    Machine resolveJump(Machine m) {
        try {
            return machines.apply(m.jump());
        } catch (FleetException e) {
            throw new FleetException(FleetException.Kind.UNKNOWN_HOST, m.name() + " names jump host '" + m.jump()
                    + "', which is not a known machine (" + e.getMessage() + "). Fix jump= in " + m.source() + ".");
        }
    }

    /** Lets hosts connect to this local address through remote port forwards (forward_start remote). */
    public void allowForwardTarget(org.apache.sshd.common.util.net.SshdSocketAddress target) {
        forwardTargets.add(key(target));
    }

    public void revokeForwardTarget(org.apache.sshd.common.util.net.SshdSocketAddress target) {
        forwardTargets.remove(key(target));
    }

    private static String key(org.apache.sshd.common.util.net.SshdSocketAddress a) {
        return a.getHostName().toLowerCase(java.util.Locale.ROOT) + ":" + a.getPort();
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
    public Opened<PtyCapableChannelSession> openTerminal(Machine m, Deadline deadline, String command,
                                                         PtyChannelConfiguration pty, OutputStream out) {
        return openChannel(m, deadline, (session, d) -> {
            PtyCapableChannelSession ch = command == null ? session.createShellChannel(pty, Map.of())
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
     * Takes a lease and opens a channel on it, within the deadline. A channel the server refuses (MaxSessions still
     * counts channels we closed a moment ago) is retried on the same healthy session after a short back-off; any
     * other failure means the pooled session is dead, so it is replaced once. Nothing has run on the host when this
     * fails, so the retries are always safe. The caller closes the channel, then the lease.
     */
    public <T> Opened<T> openChannel(Machine m, Deadline deadline, ChannelOpener<T> opener) {
        boolean reconnected = false;
        for (int attempt = 0; ; attempt++) {
            Lease lease = acquire(m, deadline);
            ClientSession session = lease.session();
            try {
                return new Opened<>(lease, opener.open(session, deadline));
            } catch (IOException | RuntimeException e) {
                lease.close();
                if (e instanceof FleetException fe) {
                    throw fe;
                }
                if (refusedByServer(e) && session.isOpen() && attempt < 5 && !deadline.expired()) {
                    log.debug("channel refused on {} ({}); retrying", m.name(), e.toString());
                    pause(50L * (attempt + 1));
                    continue;
                }
                lease.evict();
                if (!reconnected && !deadline.expired()) {
                    reconnected = true;
                    log.debug("channel open on {} failed ({}); reconnecting once", m.name(), e.toString());
                    continue;
                }
                throw new FleetException(FleetException.Kind.CONNECTION_LOST, "could not open a channel to " + m.name()
                        + " (" + m.address() + ") after reconnecting: " + e.getMessage()
                        + ". The server may limit sessions (MaxSessions) or be restarting; retry shortly.", e);
            }
        }
    }

    private static boolean refusedByServer(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SshChannelOpenException) {
                return true;
            }
        }
        return false;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the session for a machine whose address or credentials changed (reload, add_host overwrite). */
    public void invalidate(Machine.ConnectionKey key) {
        Entry e = entries.remove(key);
        if (e != null) {
            e.closeSession();
        }
    }

    public Optional<Status> status(Machine machine) {
        Entry e = entries.get(machine.connectionKey());
        if (e == null) {
            return Optional.empty();
        }
        ClientSession s = e.current();
        boolean connected = s != null && s.isOpen();
        long idle = e.inUse.get() > 0 ? 0 : (System.nanoTime() - e.lastUsedNanos) / 1_000_000;
        return Optional.of(new Status(connected, e.inUse.get(), idle));
    }

    /** How many connections have been opened in all; tests use it to prove races open exactly one. */
    public int connectsOpened() {
        return connectsOpened.get();
    }

    /**
     * Closes sessions idle for idle_timeout; returns nanoseconds until the next one could expire. Time is passed in
     * so tests can drive it without sleeping.
     */
    public long cleanup(long nowNanos) {
        long next = idleNanos;
        for (Map.Entry<Machine.ConnectionKey, Entry> me : entries.entrySet()) {
            Entry e = me.getValue();
            ClientSession s = e.current();
            if (s == null || e.inUse.get() > 0) {
                continue;
            }
            long idleFor = nowNanos - e.lastUsedNanos;
            if (idleFor >= idleNanos || !s.isOpen()) {
                log.debug("closing idle session {}", me.getKey());
                e.evict(s);
            } else {
                next = Math.min(next, idleNanos - idleFor);
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
        reaper.schedule(() -> {
            long next = idleNanos;
            try {
                next = cleanup(System.nanoTime());
            } catch (RuntimeException e) {
                log.warn("pool cleanup failed", e);
            }
            scheduleCleanup(next);
        }, delay, TimeUnit.NANOSECONDS);
    }

    /**
     * Starts building the SSH client in the background; later calls do nothing. Main calls it once the MCP handshake
     * is over (so the two do not share the CPU), a connect calls it in case nothing did.
     */
    public void prepare() {
        if (!preparing.compareAndSet(false, true)) {
            return;
        }
        Daemons.start("ssh-fleet-client-setup", () -> {
            try {
                connector.complete(new Connector(SshClients.create(config, a -> forwardTargets.contains(key(a))),
                        config, this));
            } catch (Throwable e) {
                connector.completeExceptionally(e);
            }
        });
    }

    /** The SSH client, waiting for its set-up at most until the connect deadline. */
    private Connector connector(Deadline deadline) throws IOException, InterruptedException {
        prepare();
        try {
            return connector.get(deadline.waitMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the SSH client was still being set up when the connect deadline passed");
        } catch (ExecutionException e) {
            throw new IOException("setting up the SSH client failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        List<Entry> all = new ArrayList<>(entries.values());
        entries.clear();
        all.forEach(Entry::closeSession);
        try {
            if (preparing.get()) {
                connector.join().client().stop();
            }
        } catch (RuntimeException e) {
            log.debug("client stop", e);
        }
    }

    /** One machine's slot: its session (or the connect in flight), its channel permits, its use counters. */
    private final class Entry {
        final Semaphore channels = new Semaphore(config.maxChannelsPerHost(), true);
        final AtomicInteger inUse = new AtomicInteger();
        volatile long lastUsedNanos = System.nanoTime();
        private CompletableFuture<ClientSession> future; // guarded by this

        ClientSession session(Machine machine, Deadline deadline) {
            CompletableFuture<ClientSession> f;
            boolean mine = false;
            synchronized (this) {
                f = future;
                if (f == null || (f.isDone() && !usable(f))) {
                    if (f != null) {
                        closeQuietly(f.getNow(null));
                    }
                    f = new CompletableFuture<>();
                    future = f;
                    mine = true;
                }
            }
            if (mine) {
                try {
                    connectsOpened.incrementAndGet();
                    f.complete(connector(deadline).connect(machine, deadline));
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            }
            try {
                return f.get(deadline.waitMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new FleetException(FleetException.Kind.UNREACHABLE, "cannot connect to " + machine.name() + ": "
                        + e.getCause());
            } catch (TimeoutException e) {
                throw new FleetException(FleetException.Kind.TIMEOUT, "timed out waiting for the connection to "
                        + machine.name() + " (" + machine.address() + "); another call is still connecting");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FleetException(FleetException.Kind.TIMEOUT, "interrupted connecting to " + machine.name());
            }
        }

        private boolean usable(CompletableFuture<ClientSession> f) {
            if (f.isCompletedExceptionally() || f.isCancelled()) {
                return false;
            }
            ClientSession s = f.getNow(null);
            return s != null && s.isOpen() && !s.isClosing();
        }

        synchronized ClientSession current() {
            return future != null && future.isDone() && !future.isCompletedExceptionally() ? future.getNow(null) : null;
        }

        synchronized void evict(ClientSession s) {
            if (future != null && future.isDone() && !future.isCompletedExceptionally() && future.getNow(null) == s) {
                future = null;
            }
            closeQuietly(s);
        }

        synchronized void closeSession() {
            if (future != null && future.isDone() && !future.isCompletedExceptionally()) {
                closeQuietly(future.getNow(null));
            }
            future = null;
        }

        private void closeQuietly(ClientSession s) {
            if (s != null) {
                try {
                    s.close(true);
                } catch (RuntimeException e) {
                    log.debug("close", e);
                }
            }
        }
    }
}
