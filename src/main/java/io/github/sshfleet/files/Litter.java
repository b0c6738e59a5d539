package io.github.sshfleet.files;

import io.github.sshfleet.core.Daemons;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.PrivateFiles;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.ConnectionPool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an interrupted transfer may leave behind, written down before it is made: staging files on hosts
 * ({@code .NAME.ssh-fleet-*.tmp}, {@code /tmp/ssh-fleet-stage-*}, script runners) and local {@code .part} files.
 * Each server keeps its own journal ({@code ~/.ssh-fleet/state/pending-<pid>-<start>-<n>.tsv}, 0600); an entry is
 * dropped once the file is gone or has been renamed into place. A journal whose process is no longer alive (the server
 * was killed mid-transfer) is adopted by the next server at start: local leftovers are removed then, remote ones on
 * that host's next connection. Entries whose removal failed (the connection was lost) stay and are retried the same
 * way. Two servers never touch each other's live entries.
 */
public final class Litter {

    private static final Logger log = LoggerFactory.getLogger(Litter.class);
    private static final String LOCAL = "local";
    private static final java.util.concurrent.atomic.AtomicInteger INSTANCES =
            new java.util.concurrent.atomic.AtomicInteger();

    private final Path dir;
    private final Path journal;
    private final ConnectionPool pool;
    private final Duration connectTimeout;
    private final Map<Long, Entry> entries = new LinkedHashMap<>(); // guarded by this
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private long nextId; // guarded by this

    /** One temporary file: where ("local" or user@host:port), its path, and whether it was left behind. */
    record Entry(String where, String path, boolean orphan) {
        String line() {
            return where + "\t" + path + "\n";
        }
    }

    public Litter(Path stateDir, ConnectionPool pool, Duration connectTimeout) {
        this.dir = stateDir;
        ProcessHandle self = ProcessHandle.current();
        // One journal per instance (tests run several in one JVM); pid and start time say whether its writer lives.
        this.journal = stateDir.resolve(
                "pending-" + self.pid() + "-" + startMillis(self) + "-" + INSTANCES.incrementAndGet() + ".tsv");
        this.pool = pool;
        this.connectTimeout = connectTimeout;
    }

    /** A recorded temporary file. Close it when the file is gone or in place; {@link #leftBehind} when not. */
    public final class Ticket implements AutoCloseable {
        private final long id;

        private Ticket(long id) {
            this.id = id;
        }

        @Override
        public void close() {
            forget(id);
        }

        /** The file could not be removed: keep it for the sweep on the host's next connection. */
        public void leftBehind() {
            orphan(id);
        }
    }

    static String where(Machine m) {
        return m.username() + "@" + m.address();
    }

    /** Records a temporary file about to be created on {@code m}. */
    public Ticket remote(Machine m, String path) {
        return add(new Entry(where(m), path, false));
    }

    /** Records a temporary file about to be created on this machine. */
    public Ticket local(Path path) {
        return add(new Entry(LOCAL, path.toAbsolutePath().toString(), false));
    }

    private synchronized Ticket add(Entry e) {
        long id = nextId++;
        entries.put(id, e);
        save();
        return new Ticket(id);
    }

    private synchronized void forget(long id) {
        if (entries.remove(id) != null) {
            save();
        }
    }

    private synchronized void orphan(long id) {
        Entry e = entries.get(id);
        if (e != null) {
            entries.put(id, new Entry(e.where(), e.path(), true));
        }
    }

    /** Leftovers waiting for {@code m}'s next connection (the journal's orphans for it). */
    public synchronized List<String> pendingFor(Machine m) {
        String w = where(m);
        return entries.values().stream()
                .filter(e -> e.orphan() && e.where().equals(w))
                .map(Entry::path)
                .toList();
    }

    /**
     * At start: takes over the journals of ssh-fleet processes that are gone, removes their local leftovers now and
     * keeps their remote ones for each host's next connection. Never throws: cleanup must not stop a start.
     */
    public void adoptLeftovers() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Entry> adopted = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "pending-*.tsv")) {
            for (Path f : files) {
                if (f.equals(journal) || alive(String.valueOf(f.getFileName()))) {
                    continue;
                }
                // Claim it by renaming: of two servers starting at once, exactly one adopts each journal.
                Path claimed = dir.resolve(
                        f.getFileName() + ".adopting-" + ProcessHandle.current().pid());
                try {
                    Files.move(f, claimed, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException taken) {
                    continue;
                }
                for (String line : Files.readAllLines(claimed, StandardCharsets.UTF_8)) {
                    int tab = line.indexOf('\t');
                    if (tab > 0) {
                        adopted.add(new Entry(line.substring(0, tab), line.substring(tab + 1), true));
                    }
                }
                Files.deleteIfExists(claimed);
            }
        } catch (IOException e) {
            log.warn("could not read the journal of unfinished transfers in {}: {}", dir, e.toString());
        }
        List<Entry> remote = new ArrayList<>();
        for (Entry e : adopted) {
            if (!e.where().equals(LOCAL)) {
                remote.add(e);
                continue;
            }
            try {
                if (Files.deleteIfExists(Path.of(e.path()))) {
                    log.info("removed {} left by an interrupted download", e.path());
                }
            } catch (IOException | RuntimeException ex) {
                log.warn("could not remove {} left by an interrupted download: {}", e.path(), ex.toString());
            }
        }
        synchronized (this) {
            for (Entry e : remote) { // a loop, not a lambda: nextId stays visibly under this lock
                entries.put(nextId++, e);
            }
            if (!remote.isEmpty()) {
                save();
            }
        }
    }

    /** Called when {@code m} (re)connects: removes what interrupted transfers left there, in the background. */
    public void onConnected(Machine m) {
        if (pendingFor(m).isEmpty() || !sweeping.compareAndSet(false, true)) {
            return;
        }
        Daemons.start("ssh-fleet-litter", () -> {
            try {
                sweep(m);
            } finally {
                sweeping.set(false);
            }
        });
    }

    /** Removes {@code m}'s leftovers over SFTP; returns the paths still there (the sweep is retried later). */
    List<String> sweep(Machine m) {
        try (RemoteFs fs = RemoteFs.open(pool, m, pool.sessionDeadline(), connectTimeout)) {
            return sweep(m, path -> fs.removeQuietly(path));
        } catch (FleetException e) {
            log.debug("litter sweep on {} postponed: {}", m.name(), e.getMessage());
            return pendingFor(m);
        }
    }

    /** The sweep with the removal given: {@code remove} answers whether the path is gone now. */
    synchronized List<String> sweep(Machine m, Predicate<String> remove) {
        String w = where(m);
        List<String> left = new ArrayList<>();
        boolean changed = entries.entrySet().removeIf(me -> {
            Entry e = me.getValue();
            if (!e.orphan() || !e.where().equals(w)) {
                return false;
            }
            if (remove.test(e.path())) {
                log.info("removed {} on {}, left by an interrupted transfer", e.path(), m.name());
                return true;
            }
            left.add(e.path());
            return false;
        });
        if (changed) {
            save();
        }
        return left;
    }

    /** Rewrites this process's journal (a few lines); deletes it when empty. Caller holds the lock. */
    private void save() {
        try {
            if (entries.isEmpty()) {
                Files.deleteIfExists(journal);
                return;
            }
            PrivateFiles.directory(dir);
            StringBuilder sb = new StringBuilder();
            entries.values().forEach(e -> sb.append(e.line()));
            Path tmp = journal.resolveSibling(journal.getFileName() + ".new");
            Files.deleteIfExists(tmp);
            Files.write(
                    Files.createFile(tmp, PrivateFiles.ownerOnly()),
                    sb.toString().getBytes(StandardCharsets.UTF_8));
            Files.move(tmp, journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("could not update the journal of unfinished transfers {}: {}", journal, e.toString());
        }
    }

    /** Whether the process that wrote journal {@code name} (pending-PID-START-N.tsv) is still running. */
    static boolean alive(String name) {
        String[] parts = name.replace(".tsv", "").split("-");
        if (parts.length < 3) {
            return false;
        }
        try {
            long pid = Long.parseLong(parts[1]);
            long start = Long.parseLong(parts[2]);
            return ProcessHandle.of(pid).map(p -> startMillis(p) == start).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** A process's start time: with the pid it tells a live writer from a new process that reused the pid. */
    private static long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }
}
