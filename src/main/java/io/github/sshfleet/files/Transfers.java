package io.github.sshfleet.files;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.core.PrivateFiles;
import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.ConnectionPool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.impl.SftpInputStreamAsync;

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
                return downloadTree(fs, remote, target, overwrite, progress);
            }
            if (!a.isRegularFile()) {
                throw FleetException.badArgument(remote + " on " + m.name() + " is not a regular file or directory.");
            }
            refuseOverwrite(target, overwrite);
            long size = a.getSize();
            Landed l = downloadFile(fs, remote, a, target, n -> progress.update(n, size, RemoteFs.name(remote)));
            return new Transferred(
                    target.toString(),
                    remote,
                    false,
                    1,
                    l.bytes,
                    l.sha256,
                    l.replaced ? 1 : 0,
                    List.of(),
                    Modes.format(l.perms),
                    false);
        }
    }

    record Landed(long bytes, String sha256, boolean replaced, int perms) {}

    // Long on purpose: the download in its order: part file, stream with digest, verify, mode, rename; each step cleans
    // up on failure.
    Landed downloadFile(RemoteFs fs, String remote, Attributes a, Path target, java.util.function.LongConsumer bytes) {
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null) {
            throw FleetException.badArgument("local_path must name a file, not the file-system root.");
        }
        createLocalDirs(dir);
        // Tight while it is being written; the remote mode (minus group/other write) once complete.
        int perms = a.getPermissions() & 0755;
        Path part = dir.resolve("." + target.getFileName() + ".ssh-fleet-" + Tokens.next() + ".part");
        boolean replaced = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        Litter.Ticket ticket = litter.local(part); // a killed server's .part is removed at the next start
        try {
            long n = 0;
            DigestOutputStream out;
            try {
                out = new DigestOutputStream(
                        Files.newOutputStream(createPrivate(part), StandardOpenOption.WRITE),
                        RemoteWriter.Sha256Stream.sha256());
            } catch (IOException e) {
                throw new FleetException(Kind.IO, "cannot write in local directory " + dir + ": " + e.getMessage(), e);
            }
            try (out;
                    CloseableHandle h = fs.sftp().open(remote, OpenMode.Read);
                    InputStream in = new SftpInputStreamAsync(fs.sftp(), READ_CHUNK, 0, a.getSize(), remote, h)) {
                byte[] buf = new byte[READ_CHUNK];
                int r;
                while ((r = in.read(buf)) > 0) {
                    writeLocal(out, buf, r, part);
                    n += r;
                    bytes.accept(n);
                }
            } catch (IOException e) {
                throw fs.fail(e, "read", remote);
            }
            if (n != a.getSize()) {
                // A growing log is fine to fetch as it was; a short read of a stable file is not.
                Optional<Attributes> now = fs.stat(remote);
                if (now.isPresent() && now.get().getSize() == a.getSize()) {
                    throw new FleetException(
                            Kind.IO,
                            "download of " + remote + " ended after " + n + " of " + a.getSize()
                                    + " bytes; nothing was written locally. Retry.");
                }
            }
            try {
                Files.setPosixFilePermissions(part, PosixFilePermissions.fromString(rwx(perms)));
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new FleetException(
                        Kind.IO, "cannot move the download into place at " + target + ": " + e.getMessage(), e);
            }
            return new Landed(n, HexFormat.of().formatHex(out.getMessageDigest().digest()), replaced, perms);
        } finally {
            try {
                Files.deleteIfExists(part);
                ticket.close();
            } catch (IOException ignored) {
                ticket.leftBehind(); // the name says what it is; the next start removes it
            }
        }
    }

    private Transferred downloadTree(
            RemoteFs fs, String remoteTop, Path localTop, boolean overwrite, TransferProgress progress) {
        if (Files.exists(localTop, LinkOption.NOFOLLOW_LINKS) && !overwrite) {
            throw new FleetException(
                    Kind.CONFLICT,
                    "local " + localTop + " already exists; pass overwrite: true to "
                            + "merge into it (existing files are replaced), or choose another local_path.");
        }
        List<String[]> files = new ArrayList<>(); // remote path, local path
        List<Attributes> attrs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        walkRemote(fs, remoteTop, localTop, files, attrs, skipped);
        long total = attrs.stream().mapToLong(Attributes::getSize).sum();
        long done = 0;
        int replaced = 0;
        for (int i = 0; i < files.size(); i++) {
            long before = done;
            String rel = files.get(i)[0].substring(remoteTop.length() + 1);
            Landed l = downloadFile(
                    fs,
                    files.get(i)[0],
                    attrs.get(i),
                    Path.of(files.get(i)[1]),
                    n -> progress.update(before + n, total, rel));
            done += l.bytes;
            replaced += l.replaced ? 1 : 0;
        }
        return new Transferred(
                localTop.toString(), remoteTop, true, files.size(), done, null, replaced, skipped, null, false);
    }

    private static void walkRemote(
            RemoteFs fs,
            String dir,
            Path localDir,
            List<String[]> files,
            List<Attributes> attrs,
            List<String> skipped) {
        createLocalDirs(localDir);
        List<DirEntry> entries = new ArrayList<>();
        try {
            fs.sftp().readDir(dir).forEach(entries::add);
        } catch (IOException e) {
            throw fs.fail(e, "list directory", dir);
        }
        entries.sort((x, y) -> x.getFilename().compareTo(y.getFilename()));
        for (DirEntry e : entries) {
            String name = e.getFilename();
            if (name.equals(".") || name.equals("..")) {
                continue;
            }
            if (name.contains("/") || name.contains("\0")) {
                skipped.add(dir + "/" + name + " (unsafe name)");
                continue;
            }
            String path = dir + "/" + name;
            Attributes a = e.getAttributes();
            if (a.isSymbolicLink()) {
                skipped.add(path + " (symlink)");
            } else if (a.isDirectory()) {
                walkRemote(fs, path, localDir.resolve(name), files, attrs, skipped);
            } else if (a.isRegularFile()) {
                files.add(new String[] {path, localDir.resolve(name).toString()});
                attrs.add(a);
            } else {
                skipped.add(path + " (not a regular file)");
            }
        }
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

    private static void createLocalDirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw FleetException.badArgument("local " + dir + " exists and is not a directory.");
        } catch (IOException e) {
            throw new FleetException(Kind.IO, "cannot create local directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Path createPrivate(Path p) throws IOException {
        return Files.createFile(p, PrivateFiles.ownerOnly());
    }

    private static void writeLocal(OutputStream out, byte[] buf, int n, Path part) {
        try {
            out.write(buf, 0, n);
        } catch (IOException e) {
            throw new FleetException(
                    Kind.IO,
                    "writing local file " + part + " failed (disk full?): " + e.getMessage()
                            + ". The partial file was removed.",
                    e);
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

    private static String rwx(int perms) {
        StringBuilder sb = new StringBuilder();
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            sb.append((perms & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
        }
        return sb.toString();
    }
}
