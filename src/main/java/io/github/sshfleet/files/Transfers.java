package io.github.sshfleet.files;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.ConnectionPool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.sshd.sftp.client.SftpClient.Attributes;

/**
 * upload and download: files of any size and whole directories, streamed over pipelined SFTP (the bytes never
 * pass through the model), hashed on the way, and landed atomically on both sides (a staging file renamed into
 * place). Directories follow cp/scp: into an existing directory, or as a new one. Symlinks and special files inside
 * a directory are skipped and listed, never followed out of the tree.
 */
public final class Transfers {

    /** SFTP read size for downloads; MINA shrinks it if the server answers with less. */
    static final int READ_CHUNK = 252 * 1024;

    /** The outcome, for the tool to report. {@code sha256} is set when exactly one file moved. */
    public record Transferred(
            String localPath,
            String remotePath,
            boolean directory,
            int files,
            long bytes,
            String sha256,
            int replaced,
            List<String> skipped,
            String mode,
            boolean asRoot) {}

    private final ConnectionPool pool;
    private final RemoteWriter writer;
    private final LocalPaths localPaths;
    private final Litter litter;
    private final Downloads downloads;
    private final Duration connectTimeout;
    private final Duration stall;

    public Transfers(
            ConnectionPool pool,
            RemoteWriter writer,
            Litter litter,
            LocalPaths localPaths,
            Duration connectTimeout,
            Duration stall) {
        this.pool = pool;
        this.writer = writer;
        this.litter = litter;
        this.downloads = new Downloads(litter);
        this.localPaths = localPaths;
        this.connectTimeout = connectTimeout;
        this.stall = stall;
    }

    LocalPaths localPaths() {
        return localPaths;
    }

    /** An SFTP channel on the machine, with this engine's connect timeout and stall limit. */
    RemoteFs openFs(Machine m) {
        return RemoteFs.open(pool, m, pool.sessionDeadline(), stall);
    }

    // ---------------------------------------------------------------- upload

    public Transferred upload(
            Machine m,
            String localRaw,
            String remoteRaw,
            String mode,
            boolean sudo,
            boolean overwrite,
            boolean makeDirs,
            TransferProgress progress) {
        Path local = localPaths.resolve(localRaw, "local_path");
        if (!Files.exists(local)) {
            throw new FleetException(
                    Kind.NOT_FOUND,
                    "local path " + local + " does not exist (relative paths " + "resolve against " + local.getParent()
                            + ").");
        }
        if (!Files.isReadable(local)) {
            throw new FleetException(Kind.PERMISSION, "local path " + local + " is not readable by ssh-fleet.");
        }
        try (RemoteFs fs = openFs(m)) {
            String remote = fs.resolve(remoteRaw);
            Optional<Attributes> there = statIfAllowed(fs, remote);
            boolean intoDir = remoteRaw.strip().endsWith("/")
                    || there.map(Attributes::isDirectory).orElse(false);
            if (Files.isDirectory(local)) {
                String top = intoDir && there.isPresent() ? remote + "/" + local.getFileName() : remote;
                return uploadTree(fs, local, top, mode, sudo, overwrite, makeDirs, progress);
            }
            if (!Files.isRegularFile(local)) {
                throw FleetException.badArgument(local + " is not a regular file or directory.");
            }
            String target = intoDir ? remote + "/" + local.getFileName() : remote;
            long size = size(local);
            RemoteWriter.Written w = uploadFile(
                    fs,
                    local,
                    target,
                    mode,
                    sudo,
                    overwrite,
                    makeDirs,
                    (done) -> progress.update(done, size, local.getFileName().toString()));
            return new Transferred(
                    local.toString(),
                    w.path(),
                    false,
                    1,
                    w.bytes(),
                    w.sha256(),
                    w.existed() ? 1 : 0,
                    List.of(),
                    w.mode(),
                    sudo);
        }
    }

    RemoteWriter.Written uploadFile(
            RemoteFs fs,
            Path local,
            String target,
            String mode,
            boolean sudo,
            boolean overwrite,
            boolean makeDirs,
            java.util.function.LongConsumer bytes) {
        String newMode = mode != null ? mode : Modes.format(localMode(local));
        RemoteWriter.Options o = new RemoteWriter.Options(mode, newMode, null, sudo, false, makeDirs, overwrite, false);
        // The root step copies the staged file once more on the host: allow for that on big files.
        Duration rootTimeout = Duration.ofSeconds(60 + size(local) / (20L << 20));
        try (InputStream in = Files.newInputStream(local)) {
            return writer.put(fs, in, target, o, bytes, rootTimeout);
        } catch (IOException e) {
            throw new FleetException(Kind.IO, "cannot read local file " + local + ": " + e.getMessage(), e);
        }
    }

    private Transferred uploadTree(
            RemoteFs fs,
            Path localTop,
            String remoteTop,
            String mode,
            boolean sudo,
            boolean overwrite,
            boolean makeDirs,
            TransferProgress progress) {
        List<Path> files = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        walkLocal(localTop, files, dirs, skipped);
        long total = 0;
        for (Path f : files) {
            total += size(f);
        }
        if (!sudo) {
            Optional<Attributes> top = fs.stat(remoteTop);
            if (top.isEmpty()
                    && !makeDirs
                    && fs.stat(RemoteFs.parent(remoteTop)).isEmpty()) {
                throw new FleetException(
                        Kind.NOT_FOUND,
                        "directory " + RemoteFs.parent(remoteTop) + " does not exist " + "on "
                                + fs.machine().name() + "; pass make_dirs: true to create it.");
            }
            for (Path d : dirs) {
                fs.mkdirs(remoteOf(localTop, d, remoteTop), localMode(d) | 0700);
            }
        }
        long done = 0;
        int replaced = 0;
        for (Path f : files) {
            long before = done;
            long all = total;
            String rel = localTop.relativize(f).toString();
            RemoteWriter.Written w = uploadFile(
                    fs,
                    f,
                    remoteOf(localTop, f, remoteTop),
                    mode,
                    sudo,
                    overwrite,
                    true,
                    n -> progress.update(before + n, all, rel));
            done += w.bytes();
            replaced += w.existed() ? 1 : 0;
        }
        return new Transferred(
                localTop.toString(), remoteTop, true, files.size(), done, null, replaced, skipped, mode, sudo);
    }

    private static void walkLocal(Path dir, List<Path> files, List<Path> dirs, List<String> skipped) {
        dirs.add(dir);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            List<Path> sorted = new ArrayList<>();
            entries.forEach(sorted::add);
            sorted.sort(null);
            for (Path p : sorted) {
                if (Files.isSymbolicLink(p)) {
                    skipped.add(p + " (symlink)");
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    walkLocal(p, files, dirs, skipped);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(p);
                } else {
                    skipped.add(p + " (not a regular file)");
                }
            }
        } catch (IOException e) {
            throw new FleetException(Kind.IO, "cannot list local directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String remoteOf(Path localTop, Path p, String remoteTop) {
        String rel = localTop.relativize(p).toString().replace('\\', '/');
        return rel.isEmpty() ? remoteTop : remoteTop + "/" + rel;
    }

    /** With sudo the login user may not be allowed to look: then nothing is known, and root decides later. */
    private static Optional<Attributes> statIfAllowed(RemoteFs fs, String path) {
        try {
            return fs.stat(path);
        } catch (FleetException e) {
            if (e.kind() == Kind.PERMISSION) {
                return Optional.empty();
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- download

    public Transferred download(
            Machine m, String remoteRaw, String localRaw, boolean overwrite, TransferProgress progress) {
        Path local = localPaths.resolve(localRaw, "local_path");
        try (RemoteFs fs = openFs(m).withoutSudo(RemoteFs.NoSudo.READ)) {
            String remote = fs.resolve(remoteRaw);
            Attributes a = fs.stat(remote)
                    .orElseThrow(() -> new FleetException(
                            Kind.NOT_FOUND, "no such file or " + "directory: " + remote + " on " + m.name() + "."));
            boolean intoDir = Files.isDirectory(local);
            Path target = intoDir ? local.resolve(RemoteFs.name(remote)) : local;
            if (a.isDirectory()) {
                return downloads.tree(fs, remote, target, overwrite, progress);
            }
            if (!a.isRegularFile()) {
                throw FleetException.badArgument(remote + " on " + m.name() + " is not a regular file or directory.");
            }
            refuseOverwrite(target, overwrite);
            long size = a.getSize();
            Downloads.Landed l =
                    downloads.file(fs, remote, a, target, n -> progress.update(n, size, RemoteFs.name(remote)));
            return new Transferred(
                    target.toString(),
                    remote,
                    false,
                    1,
                    l.bytes(),
                    l.sha256(),
                    l.replaced() ? 1 : 0,
                    List.of(),
                    Modes.format(l.perms()),
                    false);
        }
    }

    /** One remote file to a local path (Sync uses this for each file it pulls). */
    Downloads.Landed downloadFile(
            RemoteFs fs, String remote, Attributes a, Path target, java.util.function.LongConsumer bytes) {
        return downloads.file(fs, remote, a, target, bytes);
    }

    // ---------------------------------------------------------------- local helpers

    private static void refuseOverwrite(Path target, boolean overwrite) {
        if (Files.isDirectory(target)) {
            throw FleetException.badArgument("local " + target + " is a directory.");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !overwrite) {
            throw new FleetException(
                    Kind.CONFLICT,
                    "local file " + target + " already exists; pass overwrite: true "
                            + "to replace it, or choose another local_path.");
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new FleetException(Kind.IO, "cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** The local file's permission bits (0644 where the file system has none). */
    private static int localMode(Path p) {
        try {
            Set<PosixFilePermission> s = Files.getPosixFilePermissions(p);
            int bits = 0;
            for (PosixFilePermission x : s) {
                bits |= 1 << (8 - x.ordinal());
            }
            return bits;
        } catch (IOException | UnsupportedOperationException e) {
            return 0644;
        }
    }
}
