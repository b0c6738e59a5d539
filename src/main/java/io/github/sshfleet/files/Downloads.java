package io.github.sshfleet.files;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.core.PrivateFiles;
import io.github.sshfleet.core.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.impl.SftpInputStreamAsync;

/**
 * download and sync's pull side: remote files land in a private {@code .part} file beside the target, digested on the
 * way, and are renamed over it only when complete; a directory is walked first, then copied file by file.
 */
final class Downloads {

    private final Litter litter;

    Downloads(Litter litter) {
        this.litter = litter;
    }

    record Landed(long bytes, String sha256, boolean replaced, int perms) {}

    // Long on purpose: the download in its order: part file, stream with digest, verify, mode, rename; each step cleans
    // up on failure.
    Landed file(RemoteFs fs, String remote, Attributes a, Path target, java.util.function.LongConsumer bytes) {
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
                    InputStream in =
                            new SftpInputStreamAsync(fs.sftp(), Transfers.READ_CHUNK, 0, a.getSize(), remote, h)) {
                byte[] buf = new byte[Transfers.READ_CHUNK];
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

    Transfers.Transferred tree(
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
            Landed l = file(
                    fs,
                    files.get(i)[0],
                    attrs.get(i),
                    Path.of(files.get(i)[1]),
                    n -> progress.update(before + n, total, rel));
            done += l.bytes;
            replaced += l.replaced ? 1 : 0;
        }
        return new Transfers.Transferred(
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

    private static String rwx(int perms) {
        StringBuilder sb = new StringBuilder();
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            sb.append((perms & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
        }
        return sb.toString();
    }
}
