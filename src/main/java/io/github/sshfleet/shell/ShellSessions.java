package io.github.sshfleet.shell;

import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.core.Daemons;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.ConnectionPool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open shells, by id ("shell-web-1-1": machine name and a per-machine counter). Shells idle longer than
 * shell_idle_timeout are closed by {@link #reap(long)}; a shell whose connection died is removed the first time
 * anyone touches it, with the reason.
 */
public final class ShellSessions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ShellSessions.class);

    private final ConnectionPool pool;
    private final FleetConfig config;
    private final Path transcriptDir;
    private final Map<String, ShellSession> shells = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper;

    public ShellSessions(ConnectionPool pool, FleetConfig config, Path home) {
        this.pool = pool;
        this.config = config;
        this.transcriptDir = home.resolve(".ssh-fleet").resolve("transcripts");
        this.reaper = Executors.newSingleThreadScheduledExecutor(Daemons.factory("ssh-fleet-shell-reaper", false));
        long every = Math.max(1, Math.min(60, config.shellIdleTimeout().toSeconds() / 4));
        reaper.scheduleWithFixedDelay(
                () -> {
                    try {
                        reap(System.nanoTime());
                    } catch (RuntimeException e) {
                        log.warn("shell reaper", e);
                    }
                },
                every,
                every,
                TimeUnit.SECONDS);
    }

    /** A shell with a name: the same live shell for the same host and name (open is then idempotent). */
    public record Opened(ShellSession shell, boolean reused) {}

    private final Map<String, Object> nameLocks = new ConcurrentHashMap<>();

    /**
     * The shell named {@code name} on {@code m}: the live one if it exists (an agent that lost its context gets its
     * shell back), else a new one under the id shell-HOST-NAME. A live one of the other kind (root or not) is a
     * conflict, not silently another shell.
     */
    public Opened openNamed(Machine m, boolean root, String name) {
        String id = "shell-" + m.name() + "-" + name;
        synchronized (nameLocks.computeIfAbsent(id, k -> new Object())) {
            ShellSession existing = shells.get(id);
            if (existing != null && existing.alive()) {
                if (existing.root() != root) {
                    throw new FleetException(
                            Kind.CONFLICT,
                            id + " is already open as a " + (existing.root() ? "root" : "login-user")
                                    + " shell; pass sudo: " + existing.root() + " to use it, or another name.");
                }
                return new Opened(existing, true);
            }
            if (existing != null) {
                shells.remove(id);
                existing.close(existing.deathReason());
            }
            ShellSession s = ShellSession.open(id, m, root, pool, pool.sessionDeadline(), transcriptDir);
            shells.put(id, s);
            return new Opened(s, false);
        }
    }

    public ShellSession open(Machine m, boolean root) {
        String id = "shell-" + m.name() + "-"
                + counters.computeIfAbsent(m.name(), k -> new AtomicInteger()).incrementAndGet();
        ShellSession s = ShellSession.open(id, m, root, pool, pool.sessionDeadline(), transcriptDir);
        shells.put(id, s);
        return s;
    }

    public ShellResult run(String id, String command, Duration timeout, int cap) {
        ShellSession s = get(id);
        try {
            ShellResult r = s.run(command, timeout, cap);
            if (!s.alive()) {
                shells.remove(id);
            }
            return r;
        } catch (FleetException e) {
            // A lost connection means the shell is gone even if its channel has not noticed yet.
            if (!s.alive() || e.kind() == FleetException.Kind.CONNECTION_LOST) {
                shells.remove(id);
                s.close(s.deathReason());
            }
            throw e;
        }
    }

    /** The live shell with this id; a clear error naming the live ones otherwise. */
    public ShellSession get(String id) {
        ShellSession s = shells.get(id);
        if (s == null) {
            throw new FleetException(
                    Kind.NOT_FOUND,
                    "no shell " + FleetException.quote(id) + ". Open shells: "
                            + (shells.isEmpty()
                                    ? "none"
                                    : String.join(
                                            ", ",
                                            shells.keySet().stream().sorted().toList()))
                            + ". Open one with shell_open(host).");
        }
        if (!s.alive()) {
            shells.remove(id);
            String why = s.deathReason();
            s.close(why);
            throw new FleetException(
                    Kind.CONNECTION_LOST,
                    id + " on " + s.machine().name() + " is closed (" + why + "). Open a new one with shell_open.");
        }
        return s;
    }

    public void close(String id) {
        ShellSession s = shells.remove(id);
        if (s == null) {
            throw new FleetException(
                    Kind.NOT_FOUND,
                    "no shell " + FleetException.quote(id) + " (already closed?). Open shells: "
                            + (shells.isEmpty()
                                    ? "none"
                                    : String.join(
                                            ", ",
                                            shells.keySet().stream().sorted().toList())));
        }
        s.close("closed by shell_close");
    }

    /** Live shells, oldest first; dead ones are dropped on the way. */
    public List<ShellSession> list() {
        List<ShellSession> live = new ArrayList<>();
        for (ShellSession s : new ArrayList<>(shells.values())) {
            if (s.alive()) {
                live.add(s);
            } else {
                shells.remove(s.id());
                s.close(s.deathReason());
            }
        }
        live.sort(Comparator.comparing(ShellSession::opened));
        return live;
    }

    /** Closes shells idle for shell_idle_timeout and dead ones; returns how many. Time passed in for tests. */
    public int reap(long nowNanos) {
        int n = 0;
        long limit = config.shellIdleTimeout().toNanos();
        for (ShellSession s : new ArrayList<>(shells.values())) {
            boolean idle = nowNanos - s.lastUsedNanos() >= limit;
            if (idle || !s.alive()) {
                shells.remove(s.id());
                s.close(
                        idle
                                ? "idle for " + config.shellIdleTimeout().toMinutes() + " min (shell_idle_timeout)"
                                : s.deathReason());
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        reaper.shutdownNow();
        for (ShellSession s : new ArrayList<>(shells.values())) {
            s.close("ssh-fleet is shutting down");
        }
        shells.clear();
    }
}
