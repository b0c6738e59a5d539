package io.github.sshfleet.files;

import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.CommandRunner;
import io.github.sshfleet.ssh.ConnectionPool;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync;

/**
 * Puts bytes at a remote path so that no reader ever sees half a file: they are streamed into a private staging
 * file (created 0600 in the same request) and renamed over the target. Without sudo everything is SFTP as the login
 * user, staging next to the target; with sudo the login user stages in /tmp and {@link RootInstall} moves the bytes
 * into place as root. Staging files are removed on every path out, success or failure.
 */
public final class RemoteWriter {

    /** SFTP write size: just under the 256 KiB message limit of OpenSSH's sftp-server; 4x fewer requests than 64 KiB. */
    static final int WRITE_CHUNK = 252 * 1024;

    /**
     * How to put a file. {@code mode}/{@code owner} null: an existing file keeps its own, a new one gets
     * {@code newMode} (and, with sudo, root as owner). {@code fsync}: flush the bytes to disk before the rename
     * (write_file: configs are small and must survive a crash; bulk uploads skip it, as sftp and scp do, because it
     * costs a quarter of the transfer time and ext4 already flushes on rename-over-existing).
     */
    public record Options(
            String mode,
            String newMode,
            String owner,
            boolean sudo,
            boolean append,
            boolean makeDirs,
            boolean overwrite,
            boolean fsync) {}

    /** What was written: where, whether it replaced a file, the bytes' count and sha256, the final mode/owner. */
    public record Written(
            String path,
            boolean existed,
            long bytes,
            String sha256,
            String mode,
            String owner,
            boolean asRoot,
            boolean appended) {}

    /** write_file refuses more than this; larger content belongs in a file sent with upload. */
    public static final int MAX_CONTENT_BYTES = 4 * 1024 * 1024;

    private final ConnectionPool pool;
    private final CommandRunner runner;
    private final Litter litter;
    private final Duration connectTimeout;

    public RemoteWriter(ConnectionPool pool, CommandRunner runner, Litter litter, Duration connectTimeout) {
        this.pool = pool;
        this.runner = runner;
        this.litter = litter;
        this.connectTimeout = connectTimeout;
    }

    /**
     * Removes a staging file that did not land; if it cannot be removed (the connection is gone), the journal keeps
     * it for the host's next connection and the failure says so.
     */
    static void cleanUp(RemoteFs fs, String staging, Litter.Ticket ticket, boolean landed, RuntimeException[] failure) {
        if (landed || fs.removeQuietly(staging)) {
            ticket.close();
            return;
        }
        ticket.leftBehind();
        if (failure[0] instanceof FleetException fe) {
            failure[0] = new FleetException(
                    fe.kind(),
                    fe.getMessage() + " The temporary file " + staging + " was left "
                            + "on " + fs.machine().name()
                            + " (the target is untouched); ssh-fleet removes it on its next "
                            + "connection to that host.",
                    fe);
        }
    }

    /** write_file: {@code content} at {@code path}, atomically replaced (or appended), within {@code timeout}. */
    public Written write(Machine m, String path, byte[] content, Options o, Duration timeout) {
        if (content.length > MAX_CONTENT_BYTES) {
            throw FleetException.badArgument(
                    "content is " + content.length + " bytes; write_file takes at most " + MAX_CONTENT_BYTES
                            + " (4 MiB). Put the data in a local file and use upload, which streams any size.");
        }
        Deadline deadline = Deadline.after(timeout);
        try (RemoteFs fs = RemoteFs.open(pool, m, deadline.cappedAt(connectTimeout.plusSeconds(1)), timeout)) {
            String target = fs.resolve(path);
            if (SmallWrite.applies(fs, content, o)) { // the common case, in three round trips
                return SmallWrite.write(fs, target, content, o, litter);
            }
            return put(fs, new ByteArrayInputStream(content), target, o, n -> {}, deadline.remaining());
        }
    }

    /**
     * Streams {@code source} to {@code target} (absolute) as {@code o} says. {@code rootTimeout} bounds the root
     * step; the SFTP part is bounded per reply by the stall limit, so a large upload may take as long as it needs.
     */
    Written put(
            RemoteFs fs, InputStream source, String target, Options o, LongConsumer progress, Duration rootTimeout) {
        return o.sudo()
                ? putAsRoot(fs, source, target, o, progress, rootTimeout)
                : putAsUser(fs, source, target, o, progress);
    }

    // Long on purpose: the atomic write in its order: temp file, write, fsync, mode, rename, journal; a failure at each
    // step cleans up what came before.
    private Written putAsUser(RemoteFs fs, InputStream source, String target, Options o, LongConsumer progress) {
        Machine m = fs.machine();
        if (o.owner() != null) {
            throw FleetException.badArgument("setting owner '" + o.owner() + "' needs root: pass sudo: true (as "
                    + m.username() + " the file can only be owned by " + m.username() + ").");
        }
        String path = followSymlink(fs, target);
        Optional<Attributes> existing = fs.stat(path);
        WriteChecks.target(m.name(), path, existing, o.overwrite());
        ensureParent(fs, path, o.makeDirs());
        Sha256Stream in = new Sha256Stream(source);
        if (o.append()) {
            int perms = Modes.parse(o.mode() != null ? o.mode() : o.newMode());
            try (CloseableHandle h = fs.sftp().create(path, perms, false, true)) {
                long n = copy(fs, in, h, path, progress);
                if (o.mode() != null) {
                    fs.sftp().setStat(path, new Attributes().perms(Modes.parse(o.mode())));
                }
                return finish(fs, path, existing.isPresent(), n, in.hex(), false, true);
            } catch (IOException e) {
                throw fs.fail(e, "append to", path);
            }
        }
        String staging = RemoteFs.stagingName(path, ".tmp");
        Litter.Ticket ticket = litter.remote(fs.machine(), staging);
        boolean renamed = false;
        RuntimeException[] failure = {null};
        try {
            long n;
            try (CloseableHandle h = fs.sftp().create(staging, 0600, true, false)) {
                n = copy(fs, in, h, staging, progress);
                if (o.fsync()) {
                    fs.fsync(h);
                }
            } catch (IOException e) {
                throw fs.fail(e, "write a staging file next to", path);
            }
            verifySize(fs, staging, n);
            Attributes a = new Attributes()
                    .perms(
                            o.mode() != null
                                    ? Modes.parse(o.mode())
                                    : existing.map(x -> x.getPermissions() & 07777)
                                            .orElse(Modes.parse(o.newMode())));
            try {
                fs.sftp().setStat(staging, a);
                if (existing.isPresent()) {
                    // Same owner as before when we may (our own file, a group we are in); otherwise it is ours now.
                    fs.sftp()
                            .setStat(
                                    staging,
                                    new Attributes()
                                            .owner(
                                                    existing.get().getUserId(),
                                                    existing.get().getGroupId()));
                }
            } catch (IOException e) {
                if (o.mode() != null || !existing.isPresent()) {
                    throw fs.fail(e, "set the mode of", path);
                }
            }
            fs.renameReplacing(staging, path);
            renamed = true;
            return finish(fs, path, existing.isPresent(), n, in.hex(), false, false);
        } catch (RuntimeException e) {
            failure[0] = e;
            throw e;
        } finally {
            cleanUp(fs, staging, ticket, renamed, failure);
            if (failure[0] != null) {
                throw failure[0];
            }
        }
    }

    private Written putAsRoot(
            RemoteFs fs, InputStream source, String target, Options o, LongConsumer progress, Duration rootTimeout) {
        String staging = "/tmp/ssh-fleet-stage-" + Tokens.next();
        Litter.Ticket ticket = litter.remote(fs.machine(), staging);
        Sha256Stream in = new Sha256Stream(source);
        RuntimeException[] failure = {null};
        try {
            long n;
            try (CloseableHandle h = fs.sftp().create(staging, 0600, true, false)) {
                n = copy(fs, in, h, staging, progress);
            } catch (IOException e) {
                throw fs.fail(e, "stage the content in", staging);
            }
            verifySize(fs, staging, n);
            RootInstall.Installed done = RootInstall.install(
                    runner,
                    fs.machine(),
                    staging,
                    target,
                    o.mode(),
                    o.newMode(),
                    o.owner(),
                    o.makeDirs(),
                    o.append(),
                    !o.overwrite(),
                    rootTimeout.plusSeconds(1));
            return new Written(done.path(), done.existed(), n, in.hex(), done.mode(), done.owner(), true, o.append());
        } catch (RuntimeException e) {
            failure[0] = e;
            throw e;
        } finally {
            cleanUp(fs, staging, ticket, false, failure);
            if (failure[0] != null) {
                throw failure[0];
            }
        }
    }

    /** Writing "through" a symlink replaces the file it points to, as editors do, not the link itself. */
    private static String followSymlink(RemoteFs fs, String path) {
        try {
            Attributes l = fs.sftp().lstat(path);
            if (l.isSymbolicLink()) {
                return fs.sftp().canonicalPath(path);
            }
        } catch (IOException e) {
            // missing (or a dangling link): write the path as given
        }
        return path;
    }

    private static void ensureParent(RemoteFs fs, String path, boolean makeDirs) {
        String dir = RemoteFs.parent(path);
        WriteChecks.parent(fs, dir, fs.stat(dir), makeDirs);
    }

    private static long copy(RemoteFs fs, InputStream in, CloseableHandle h, String path, LongConsumer progress)
            throws IOException {
        long total = 0;
        try (OutputStream out = new SftpOutputStreamAsync(fs.sftp(), WRITE_CHUNK, path, h, false)) {
            byte[] buf = new byte[WRITE_CHUNK];
            int n;
            while ((n = readSource(in, buf)) > 0) {
                out.write(buf, 0, n);
                total += n;
                progress.accept(total);
            }
        }
        return total;
    }

    /** Local read errors are the caller's side, not the host's: say so. */
    private static int readSource(InputStream in, byte[] buf) {
        try {
            return in.read(buf);
        } catch (IOException e) {
            throw new FleetException(Kind.IO, "reading the local source failed: " + e.getMessage(), e);
        }
    }

    /** MINA gives up silently on a final write ack that never comes; a size check catches a short file. */
    private static void verifySize(RemoteFs fs, String path, long expected) {
        long actual = fs.stat(path).map(Attributes::getSize).orElse(-1L);
        if (actual != expected) {
            throw new FleetException(
                    Kind.IO,
                    "the staged copy on " + fs.machine().name() + " has " + actual + " bytes, expected " + expected
                            + " (disk full, or the transfer was cut); nothing was replaced.");
        }
    }

    private static Written finish(
            RemoteFs fs, String path, boolean existed, long n, String sha, boolean root, boolean appended) {
        Attributes a = fs.stat(path)
                .orElseThrow(() -> new FleetException(
                        Kind.IO,
                        path + " vanished right after " + "it was written on "
                                + fs.machine().name()));
        return new Written(
                path,
                existed,
                n,
                sha,
                Modes.format(a.getPermissions()),
                a.getUserId() + ":" + a.getGroupId(),
                root,
                appended);
    }

    /** Hashes what passes through. */
    static final class Sha256Stream extends DigestInputStream {
        Sha256Stream(InputStream in) {
            super(in, sha256());
        }

        String hex() {
            return HexFormat.of().formatHex(getMessageDigest().digest());
        }

        static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }
    }
}
