package io.github.sshfleet.files;

import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.ConnectionPool;
import io.github.sshfleet.ssh.Shell;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;

/**
 * list_dir: one directory over SFTP, sorted by name, bounded. Owner and group names come from the server's own
 * long listing (SFTP v3 sends only numbers otherwise); symlink targets are read for the entries shown, never more.
 */
public final class DirListing {

    /** Entries read at most from one directory; past it the total is reported as "at least". */
    static final int SCAN_LIMIT = 100_000;

    /** {@code mode}: octal permission bits; {@code mtime}: ISO-8601 UTC; {@code target}: a symlink's, else null. */
    public record Entry(
            String name,
            String type,
            long size,
            String mode,
            String perms,
            String owner,
            String group,
            String mtime,
            String target) {}

    /** {@code total}: entries in the directory (hidden ones only with all); {@code truncated}: more than shown. */
    public record Listing(String path, List<Entry> entries, int total, boolean truncated, boolean totalIsLowerBound) {}

    private final ConnectionPool pool;
    private final Duration connectTimeout;

    public DirListing(ConnectionPool pool, Duration connectTimeout) {
        this.pool = pool;
        this.connectTimeout = connectTimeout;
    }

    public Listing list(Machine m, String path, boolean all, int maxEntries, Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        try (RemoteFs fs = RemoteFs.open(pool, m, deadline.cappedAt(connectTimeout.plusSeconds(1)), timeout)
                .withoutSudo(RemoteFs.NoSudo.LIST)) {
            String abs = fs.resolve(path);
            Attributes a = fs.stat(abs)
                    .orElseThrow(() -> new FleetException(
                            FleetException.Kind.NOT_FOUND, "no such directory: " + abs + " on " + m.name() + "."));
            if (!a.isDirectory()) {
                throw FleetException.badArgument(abs + " on " + m.name() + " is not a directory; read_file reads a "
                        + "file, and exec_readonly with command: stat " + Shell.quote(abs) + " shows its type.");
            }
            List<DirEntry> found = new ArrayList<>();
            boolean capped = false;
            try {
                for (DirEntry e : fs.sftp().readDir(abs)) {
                    String name = e.getFilename();
                    if (name.equals(".") || name.equals("..") || (!all && name.startsWith("."))) {
                        continue;
                    }
                    if (found.size() >= SCAN_LIMIT) {
                        capped = true;
                        break;
                    }
                    found.add(e);
                }
            } catch (IOException e) {
                throw fs.fail(e, "list directory", abs);
            } catch (java.io.UncheckedIOException e) { // MINA's directory iterator opens the handle lazily
                throw fs.fail(e.getCause(), "list directory", abs);
            }
            found.sort(Comparator.comparing(DirEntry::getFilename));
            List<Entry> shown = new ArrayList<>();
            for (DirEntry e : found.subList(0, Math.min(maxEntries, found.size()))) {
                shown.add(entry(fs, abs, e));
            }
            return new Listing(abs, shown, found.size(), found.size() > maxEntries || capped, capped);
        }
    }

    private static Entry entry(RemoteFs fs, String dir, DirEntry e) {
        Attributes a = e.getAttributes();
        String type = a.isSymbolicLink()
                ? "symlink"
                : a.isDirectory() ? "dir" : a.isRegularFile() ? "file" : other(a.getPermissions());
        String target = null;
        if (a.isSymbolicLink()) {
            try {
                target = fs.sftp().readLink((dir.equals("/") ? "" : dir) + "/" + e.getFilename());
            } catch (IOException ignored) {
                target = "?"; // unreadable link: the entry is still listed
            }
        }
        String[] names = ownerAndGroup(e.getLongFilename());
        return new Entry(
                e.getFilename(),
                type,
                a.getSize(),
                String.format("%04o", a.getPermissions() & 07777),
                permString(a.getPermissions(), type),
                names != null ? names[0] : String.valueOf(a.getUserId()),
                names != null ? names[1] : String.valueOf(a.getGroupId()),
                a.getModifyTime() == null
                        ? null
                        : Instant.ofEpochSecond(a.getModifyTime().toInstant().getEpochSecond())
                                .toString(),
                target);
    }

    /** From OpenSSH's long name ("-rw-r--r--    1 root     root  ..."): owner and group, or null if not of that form. */
    static String[] ownerAndGroup(String longName) {
        if (longName == null) {
            return null;
        }
        String[] f = longName.trim().split("\\s+");
        return f.length >= 4 && f[0].length() == 10 ? new String[] {f[2], f[3]} : null;
    }

    private static String other(int perms) {
        return switch (perms & 0170000) {
            case 0020000 -> "char-device";
            case 0060000 -> "block-device";
            case 0010000 -> "fifo";
            case 0140000 -> "socket";
            default -> "other";
        };
    }

    static String permString(int perms, String type) {
        StringBuilder sb = new StringBuilder(
                switch (type) {
                    case "dir" -> "d";
                    case "symlink" -> "l";
                    case "char-device" -> "c";
                    case "block-device" -> "b";
                    case "fifo" -> "p";
                    case "socket" -> "s";
                    default -> "-";
                });
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            sb.append((perms & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
        }
        if ((perms & 04000) != 0) {
            sb.setCharAt(3, sb.charAt(3) == 'x' ? 's' : 'S');
        }
        if ((perms & 02000) != 0) {
            sb.setCharAt(6, sb.charAt(6) == 'x' ? 's' : 'S');
        }
        if ((perms & 01000) != 0) {
            sb.setCharAt(9, sb.charAt(9) == 'x' ? 't' : 'T');
        }
        return sb.toString();
    }
}
