package io.github.sshfleet.files;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.fleet.Machine;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;

/**
 * sync: an rsync-like one-way copy of a directory tree over SFTP, no rsync binary on either side. A file is copied
 * when it is missing or its size or modification time differs (or, with checksum, its sha256); copies get the
 * source's mtime so the next run sees them as equal. Optional deletion of files the source lacks, glob excludes, and
 * a dry run that only reports what would change.
 */
public final class Sync {

    /** What a run did (or, in a dry run, would do). */
    public record Report(
            int copied, long bytes, int deleted, int unchanged, int excluded, List<String> changes, boolean dryRun) {}

    /** One file's identity for comparison. */
    private record Meta(long size, long mtimeSeconds) {}

    private final Transfers transfers;
    private final io.github.sshfleet.ssh.CommandRunner runner;

    /** Copies go through {@code transfers} (and its local_root rules); checksums of remote files use {@code runner}. */
    public Sync(Transfers transfers, io.github.sshfleet.ssh.CommandRunner runner) {
        this.transfers = transfers;
        this.runner = runner;
    }

    // Long on purpose: the sync plan in its steps: walk, compare, transfer, delete, report; each step is a call, the
    // method is the order.
    public Report run(
            Machine m,
            boolean upload,
            String source,
            String destination,
            boolean delete,
            List<String> excludes,
            boolean dryRun,
            boolean checksum,
            TransferProgress progress) {
        List<PathMatcher> ex = excludes.stream()
                .map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g))
                .toList();
        try (RemoteFs fs = transfers.openFs(m).withoutSudo(upload ? RemoteFs.NoSudo.WRITE : RemoteFs.NoSudo.READ)) {
            Path local =
                    transfers.localPaths().resolve(upload ? source : destination, upload ? "source" : "destination");
            String remote = fs.resolve(upload ? destination : source);
            int[] excluded = new int[1];
            Map<String, Meta> src;
            Map<String, Meta> dst;
            if (upload) {
                if (!Files.isDirectory(local)) {
                    throw new FleetException(Kind.NOT_FOUND, "source " + local + " is not a local directory.");
                }
                src = localTree(local, ex, excluded);
                dst = fs.stat(remote).isPresent() ? remoteTree(fs, remote, ex, new int[1]) : Map.of();
            } else {
                if (fs.stat(remote).map(a -> !a.isDirectory()).orElse(true)) {
                    throw new FleetException(
                            Kind.NOT_FOUND, "source " + remote + " is not a directory on " + m.name() + ".");
                }
                src = remoteTree(fs, remote, ex, excluded);
                dst = Files.isDirectory(local) ? localTree(local, ex, new int[1]) : Map.of();
            }
            List<String> copy = new ArrayList<>();
            int unchanged = 0;
            long bytes = 0;
            Map<String, Boolean> sameContent = checksum ? sameContent(m, local, remote, src, dst) : Map.of();
            for (Map.Entry<String, Meta> e : src.entrySet()) {
                Meta d = dst.get(e.getKey());
                boolean same = d != null
                        && d.size() == e.getValue().size()
                        && (checksum
                                ? sameContent.getOrDefault(e.getKey(), false)
                                : d.mtimeSeconds() == e.getValue().mtimeSeconds());
                if (same) {
                    unchanged++;
                } else {
                    copy.add(e.getKey());
                    bytes += e.getValue().size();
                }
            }
            List<String> remove = delete
                    ? dst.keySet().stream().filter(k -> !src.containsKey(k)).toList()
                    : List.of();
            List<String> changes = new ArrayList<>();
            copy.forEach(f -> changes.add((dst.containsKey(f) ? "update " : "add ") + f));
            remove.forEach(f -> changes.add("delete " + f));
            if (!dryRun) {
                long total = bytes;
                long[] done = {0};
                for (String rel : copy) {
                    long before = done[0];
                    long mtime = src.get(rel).mtimeSeconds();
                    String r = remote + "/" + rel;
                    Path l = local.resolve(rel);
                    if (upload) {
                        transfers.uploadFile(
                                fs, l, r, null, false, true, true, n -> progress.update(before + n, total, rel));
                        setRemoteMtime(fs, r, mtime);
                    } else {
                        Attributes a =
                                fs.stat(r).orElseThrow(() -> new FleetException(Kind.NOT_FOUND, r + " vanished"));
                        transfers.downloadFile(fs, r, a, l, n -> progress.update(before + n, total, rel));
                        setLocalMtime(l, mtime);
                    }
                    done[0] += src.get(rel).size();
                }
                for (String rel : remove) {
                    if (upload) {
                        fs.removeQuietly(remote + "/" + rel);
                    } else {
                        try {
                            Files.deleteIfExists(local.resolve(rel));
                        } catch (IOException e) {
                            throw new FleetException(
                                    Kind.IO, "cannot delete " + local.resolve(rel) + ": " + e.getMessage(), e);
                        }
                    }
                }
            }
            return new Report(copy.size(), bytes, remove.size(), unchanged, excluded[0], changes, dryRun);
        }
    }

    /** checksum mode: sha256 on both sides for files present on both with equal size (remote: sha256sum). */
    private Map<String, Boolean> sameContent(
            Machine m, Path local, String remote, Map<String, Meta> src, Map<String, Meta> dst) {
        List<String> both = src.keySet().stream()
                .filter(k -> dst.containsKey(k)
                        && dst.get(k).size() == src.get(k).size()
                        && !k.contains("\\")
                        && !k.contains("\n"))
                .toList();
        Map<String, Boolean> out = new TreeMap<>();
        for (int i = 0; i < both.size(); i += 200) {
            List<String> batch = both.subList(i, Math.min(both.size(), i + 200));
            StringBuilder cmd = new StringBuilder("cd -- ")
                    .append(io.github.sshfleet.ssh.Shell.quote(remote))
                    .append(" && sha256sum --");
            batch.forEach(f -> cmd.append(' ').append(io.github.sshfleet.ssh.Shell.quote(f)));
            io.github.sshfleet.ssh.CommandResult r =
                    runner.runPlain(m, cmd.toString(), java.time.Duration.ofMinutes(10), false, 4 * 1024 * 1024);
            Map<String, String> remoteSums = new TreeMap<>();
            r.stdout()
                    .lines()
                    .filter(l -> l.length() > 66)
                    .forEach(l -> remoteSums.put(l.substring(66), l.substring(0, 64)));
            for (String f : batch) {
                out.put(f, remoteSums.containsKey(f) && remoteSums.get(f).equals(localSha(local.resolve(f))));
            }
        }
        return out;
    }

    private static String localSha(Path p) {
        try (java.io.InputStream in = Files.newInputStream(p)) {
            java.security.MessageDigest md = RemoteWriter.Sha256Stream.sha256();
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean excluded(String rel, String name, List<PathMatcher> ex) {
        for (PathMatcher pm : ex) {
            if (pm.matches(Path.of(rel)) || pm.matches(Path.of(name))) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Meta> localTree(Path root, List<PathMatcher> ex, int[] excluded) {
        Map<String, Meta> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(root) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                String rel = root.relativize(p).toString().replace('\\', '/');
                if (isExcludedPath(rel, ex)) {
                    excluded[0]++;
                    continue;
                }
                out.put(
                        rel,
                        new Meta(Files.size(p), Files.getLastModifiedTime(p).to(TimeUnit.SECONDS)));
            }
        } catch (IOException e) {
            throw new FleetException(Kind.IO, "cannot read local tree " + root + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** A path is excluded when it, or any directory above it, matches a glob (by relative path or by name). */
    private static boolean isExcludedPath(String rel, List<PathMatcher> ex) {
        String[] parts = rel.split("/");
        StringBuilder prefix = new StringBuilder();
        for (String part : parts) {
            prefix.append(prefix.length() == 0 ? "" : "/").append(part);
            if (excluded(prefix.toString(), part, ex)) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Meta> remoteTree(RemoteFs fs, String root, List<PathMatcher> ex, int[] excluded) {
        Map<String, Meta> out = new TreeMap<>();
        walkRemote(fs, root, "", ex, excluded, out);
        return out;
    }

    private static void walkRemote(
            RemoteFs fs, String root, String rel, List<PathMatcher> ex, int[] excluded, Map<String, Meta> out) {
        String dir = rel.isEmpty() ? root : root + "/" + rel;
        List<DirEntry> entries = new ArrayList<>();
        try {
            fs.sftp().readDir(dir).forEach(entries::add); // pages lazily: later pages fail as UncheckedIOException
        } catch (IOException e) {
            throw fs.fail(e, "list directory", dir);
        } catch (java.io.UncheckedIOException e) {
            throw fs.fail(e.getCause(), "list directory", dir);
        }
        for (DirEntry e : entries) {
            String name = e.getFilename();
            if (name.equals(".") || name.equals("..") || name.contains("/")) {
                continue;
            }
            String r = rel.isEmpty() ? name : rel + "/" + name;
            if (isExcludedPath(r, ex)) {
                excluded[0]++;
                continue;
            }
            Attributes a = e.getAttributes();
            if (a.isDirectory()) {
                walkRemote(fs, root, r, ex, excluded, out);
            } else if (a.isRegularFile()) {
                FileTime t = a.getModifyTime();
                out.put(r, new Meta(a.getSize(), t == null ? 0 : t.to(TimeUnit.SECONDS)));
            }
        }
    }

    private static void setRemoteMtime(RemoteFs fs, String path, long seconds) {
        try {
            FileTime t = FileTime.from(seconds, TimeUnit.SECONDS);
            fs.sftp().setStat(path, new Attributes().modifyTime(t).accessTime(t));
        } catch (IOException e) {
            throw fs.fail(e, "set the modification time of", path);
        }
    }

    private static void setLocalMtime(Path p, long seconds) {
        try {
            Files.setLastModifiedTime(p, FileTime.from(seconds, TimeUnit.SECONDS));
        } catch (IOException e) {
            throw new FleetException(Kind.IO, "cannot set the time of " + p + ": " + e.getMessage(), e);
        }
    }
}
