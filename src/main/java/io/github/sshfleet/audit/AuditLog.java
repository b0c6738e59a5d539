package io.github.sshfleet.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: one JSON line when a tool call starts (before it touches a machine) and one when it ends, in
 * {@code audit-YYYY-MM-DD.jsonl} (UTC) files, 0600 in a 0700 directory. Each line carries {@code prev}, the sha256
 * of the line before it (across files; the very first line has 64 zeros), so an edited, inserted or removed line
 * breaks the chain ({@link AuditVerifier}). What a line may hold is decided in {@link AuditRecord}: never file
 * content, env values, passwords or script bodies; known machine secrets masked.
 *
 * <p>Lines are written synchronously under a file lock, without fsync, so there is no queue that could lose a line:
 * both lines of a call cost about 70 microseconds in-process ({@code .ci/bench 2000 0 guardrails}). If a start line
 * cannot be written and {@code required} is set, the call is refused with the reason before anything runs; an end
 * line that cannot be written is logged as an error (the command has already run). The lock and the tail read on
 * every line make servers that share the directory write one chain.
 */
public final class AuditLog {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String GENESIS = "0".repeat(64);

    private final Path dir;
    private final boolean required;
    private final Clock clock;
    private final String version;
    private final Object lock = new Object();
    /** One monitor per directory in this JVM: FileLock excludes other processes only, not other channels here. */
    private final Object dirLock;

    private static final java.util.concurrent.ConcurrentHashMap<Path, Object> DIR_LOCKS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private FileChannel lockFile;
    private Written last; // under dirLock
    private long nextCall = 1;
    private String brokenBecause;

    private AuditLog(Path dir, boolean required, Clock clock, String version) {
        this.dir = dir;
        this.required = required;
        this.clock = clock;
        this.version = version;
        this.dirLock = dir == null
                ? lock
                : DIR_LOCKS.computeIfAbsent(dir.toAbsolutePath().normalize(), k -> new Object());
    }

    /** No audit trail (audit_log: off). */
    public static AuditLog off() {
        return new AuditLog(null, false, Clock.systemUTC(), "");
    }

    /** {@code dir} is created 0700 on the first line; the chain continues from the newest file already there. */
    public static AuditLog in(Path dir, boolean required, Clock clock, String version) {
        return new AuditLog(dir, required, clock, version);
    }

    public boolean enabled() {
        return dir != null;
    }

    /**
     * Records that {@code tool} is about to run with {@code arguments}; returns the call's number for {@link #end}.
     * Throws (kind IO, nothing ran) when the line cannot be written and the audit trail is required.
     */
    public long start(String tool, String client, Map<String, Object> arguments) {
        if (dir == null) {
            return 0;
        }
        synchronized (lock) {
            long call = nextCall++;
            Map<String, Object> line = header(call, "start");
            line.put("client", client);
            line.put("tool", tool);
            line.put("args", AuditRecord.arguments(arguments));
            line.put("version", version);
            try {
                write(line);
            } catch (IOException | RuntimeException e) {
                brokenBecause = e.getClass().getSimpleName() + ": " + e.getMessage();
                if (required) {
                    throw new FleetException(
                            FleetException.Kind.IO,
                            "the audit log in " + dir + " cannot be written (" + FleetException.bounded(brokenBecause)
                                    + "), so " + tool + " was refused and nothing ran. Fix the directory, or set "
                                    + "audit_required: false in config.yaml to run with a warning instead.");
                }
                log.warn("audit log {} cannot be written ({}); {} runs unaudited", dir, brokenBecause, tool);
            }
            return call;
        }
    }

    /**
     * How a call ended: {@code error} a failure kind's name or null; {@code structured} the result's data (a fan-out's
     * hosts are taken from it); {@code approval} how a person answered its confirm question (approved, declined,
     * timed_out, ...) or null; {@code bytes} the text returned to the agent.
     */
    public record Ending(
            long millis,
            boolean isError,
            String error,
            String message,
            Object structured,
            String approval,
            long bytes) {
        /** A plain success, for callers and tests that have nothing more to say. */
        public static Ending ok(long millis) {
            return new Ending(millis, false, null, null, null, null, 0);
        }
    }

    /** Records how call {@code call} ended. */
    public void end(long call, Ending e) {
        if (dir == null) {
            return;
        }
        synchronized (lock) {
            Map<String, Object> line = header(call, "end");
            line.put("duration_ms", e.millis());
            line.put("is_error", e.isError());
            if (e.error() != null) {
                line.put("error", e.error());
            }
            if (e.message() != null) {
                line.put("message", AuditRecord.text(e.message(), 300));
            }
            if (e.approval() != null) {
                line.put("approval", e.approval());
            }
            line.put("bytes", e.bytes());
            AuditRecord.hosts(e.structured()).ifPresent(h -> line.put("hosts", h));
            try {
                write(line);
            } catch (IOException | RuntimeException x) {
                log.error("audit log {}: the end of call {} could not be recorded ({})", dir, call, x.toString());
            }
        }
    }

    private Map<String, Object> header(long call, String phase) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("seq", 0L); // set under the file lock, from the line before
        line.put("time", clock.instant().toString());
        line.put("call", call);
        line.put("phase", phase);
        return line;
    }

    /**
     * Appends one line under an exclusive lock on the directory's lock file, taking seq and prev from the newest
     * file's last line each time: two servers sharing the directory (two clients, or a class-data training run)
     * still make one chain.
     */
    private void write(Map<String, Object> line) throws IOException {
        if (lockFile == null) {
            PrivateFiles.directory(dir);
            lockFile = FileChannel.open(
                    dir.resolve(".lock"),
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    PrivateFiles.ownerOnly());
        }
        synchronized (dirLock) {
            append(line);
        }
    }

    private void append(Map<String, Object> line) throws IOException {
        FileLock held = lockFile.lock();
        try {
            Path file = dir.resolve("audit-" + LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC) + ".jsonl");
            Written mine = last;
            AuditVerifier.Head head = mine != null && mine.isStill(file)
                    ? mine.head()
                    : AuditVerifier.head(dir, file); // first line, a new day, or another writer since
            line.put("seq", head.lines() + 1);
            line.put("prev", head.hash());
            String text;
            try {
                text = JSON.writeValueAsString(line);
            } catch (JsonProcessingException e) {
                throw new IOException("an audit line could not be encoded", e);
            }
            if (!Files.exists(file)) {
                Files.createFile(file, PrivateFiles.ownerOnly());
            }
            try (FileChannel out =
                    FileChannel.open(file, Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND))) {
                ByteBuffer buf = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
            }
            last = Written.now(file, new AuditVerifier.Head(AuditVerifier.sha256(text), head.lines() + 1));
        } finally {
            held.release();
        }
    }

    /**
     * The line this log wrote last and the file as it was right after: while the file is unchanged (same inode,
     * size and mtime) the next line chains from it without reading the file's tail back (64 KB of allocation per
     * call before, 11 KB now). Any other writer (a second server on the directory) changes the size, so it is re-read.
     */
    private record Written(
            Path file, Object key, long size, java.nio.file.attribute.FileTime modified, AuditVerifier.Head head) {

        static Written now(Path file, AuditVerifier.Head head) throws IOException {
            var a = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            return new Written(file, a.fileKey(), a.size(), a.lastModifiedTime(), head);
        }

        boolean isStill(Path today) throws IOException {
            if (!file.equals(today)) {
                return false;
            }
            java.nio.file.attribute.BasicFileAttributes a;
            try {
                a = Files.readAttributes(today, java.nio.file.attribute.BasicFileAttributes.class);
            } catch (java.nio.file.NoSuchFileException gone) {
                return false; // removed or rotated away: the head is read from what is there
            }
            return a.size() == size
                    && a.lastModifiedTime().equals(modified)
                    && java.util.Objects.equals(a.fileKey(), key);
        }
    }

    /** Closes the lock file; a later line opens it again. */
    public void close() {
        synchronized (lock) {
            if (lockFile != null) {
                try {
                    lockFile.close();
                } catch (IOException e) {
                    log.debug("closing the audit log: {}", e.toString());
                }
                lockFile = null;
            }
        }
    }
}
