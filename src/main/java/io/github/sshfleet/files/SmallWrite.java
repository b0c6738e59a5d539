package io.github.sshfleet.files;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.common.SftpConstants;

/**
 * write_file's common case (as the login user, replacing, up to {@link #MAX} bytes) in three round trips instead of
 * twelve, with the same steps and the same guarantees as {@link RemoteWriter}: look (lstat, stat, parent stat) and
 * create the private staging file together, then write + size check + mode + owner + fsync + close together, then
 * rename + stat together. The server handles requests in order, so each batch sees what the one before it did.
 */
final class SmallWrite {

    /** Larger content goes through RemoteWriter's streaming path. */
    static final int MAX = 256 * 1024;

    private static final int CHUNK = 64 * 1024;

    private SmallWrite() {}

    /** Whether this write can take the short path: the server offers the two OpenSSH extensions it relies on. */
    static boolean applies(RemoteFs fs, byte[] content, RemoteWriter.Options o) {
        return !o.sudo()
                && !o.append()
                && o.owner() == null
                && content.length <= MAX
                && fs.sftp().offers("posix-rename@openssh.com")
                && (!o.fsync() || fs.sftp().offers("fsync@openssh.com"));
    }

    // Long on purpose: the three batches in order, each with the checks RemoteWriter makes at that step.
    static RemoteWriter.Written write(
            RemoteFs fs, String target, byte[] content, RemoteWriter.Options o, Litter litter) {
        FleetSftpClient sftp = fs.sftp();
        String name = fs.machine().name();
        String path = target;
        // The staging file is created with the look: its OPEN needs nothing from the look's answers, which then
        // decide whether it is used or removed. One round trip fewer for every write that goes ahead; a refused
        // one pays for the removal instead.
        String staging = RemoteFs.stagingName(path, ".tmp");
        Litter.Ticket ticket = litter.remote(fs.machine(), staging);
        byte[] handle = null;
        boolean renamed = false;
        RuntimeException[] failure = {null};
        try {
            Optional<Attributes> existing;
            Optional<Attributes> parent;
            try {
                int lstat = sftp.sendPath(SftpConstants.SSH_FXP_LSTAT, path);
                int stat = sftp.sendPath(SftpConstants.SSH_FXP_STAT, path);
                int dir = sftp.sendPath(SftpConstants.SSH_FXP_STAT, RemoteFs.parent(path));
                int open = sftp.sendCreate(staging, 0600, true, false);
                Optional<Attributes> link;
                try {
                    link = sftp.attributesIfAny(SftpConstants.SSH_FXP_LSTAT, lstat);
                    existing = sftp.attributesIfAny(SftpConstants.SSH_FXP_STAT, stat);
                    parent = sftp.attributesIfAny(SftpConstants.SSH_FXP_STAT, dir);
                } catch (org.apache.sshd.sftp.common.SftpException e) {
                    handle = openAnswer(sftp, open); // taken so no handle stays open; closed below
                    throw e;
                }
                handle = openAnswer(sftp, open);
                if (link.isPresent() && link.get().isSymbolicLink() && existing.isPresent()) {
                    // Writing through a symlink replaces the file it points to, as editors do (rare: more trips).
                    path = sftp.canonicalPath(path);
                    parent = fs.stat(RemoteFs.parent(path));
                    close(sftp, handle);
                    handle = null;
                    RemoteWriter.cleanUp(fs, staging, ticket, false, failure);
                    staging = RemoteFs.stagingName(path, ".tmp"); // beside the file it replaces
                    ticket = litter.remote(fs.machine(), staging);
                }
            } catch (IOException e) {
                throw fs.fail(e, "stat", path);
            }
            WriteChecks.target(name, path, existing, o.overwrite());
            WriteChecks.parent(fs, RemoteFs.parent(path), parent, o.makeDirs());
            try {
                if (handle == null) {
                    handle = sftp.create(staging, 0600, true, false).getIdentifier();
                }
                byte[] h = handle;
                handle = null; // closed by writeAndSettle however it ends
                writeAndSettle(fs, sftp, h, content, existing, o, path);
            } catch (IOException e) {
                throw fs.fail(e, "write a staging file next to", path);
            }
            Attributes landed;
            try {
                int rename =
                        sftp.sendExtended("posix-rename@openssh.com", sftp.pathBytes(staging), sftp.pathBytes(path));
                int stat = sftp.sendPath(SftpConstants.SSH_FXP_STAT, path);
                try {
                    sftp.status(SftpConstants.SSH_FXP_EXTENDED, rename);
                } catch (IOException e) {
                    sftp.attributesIfAny(SftpConstants.SSH_FXP_STAT, stat); // taken, not used
                    throw fs.fail(e, "move the staged file into place at", path);
                }
                renamed = true;
                landed = sftp.attributes(SftpConstants.SSH_FXP_STAT, stat);
            } catch (IOException e) {
                throw fs.fail(e, "stat", path);
            }
            return new RemoteWriter.Written(
                    path,
                    existing.isPresent(),
                    content.length,
                    HexFormat.of().formatHex(RemoteWriter.Sha256Stream.sha256().digest(content)),
                    Modes.format(landed.getPermissions()),
                    landed.getUserId() + ":" + landed.getGroupId(),
                    false,
                    false);
        } catch (RuntimeException e) {
            failure[0] = e;
            throw e;
        } finally {
            close(sftp, handle); // a staging file created with the look, then refused by it
            RemoteWriter.cleanUp(fs, staging, ticket, renamed, failure);
            if (failure[0] != null) {
                throw failure[0]; // with the note on a staging file left behind, when one was
            }
        }
    }

    /** The staging file's handle, or null when the server refused it (no parent yet, or not writable). */
    private static byte[] openAnswer(FleetSftpClient sftp, int open) throws IOException {
        try {
            return sftp.handle(SftpConstants.SSH_FXP_OPEN, open);
        } catch (org.apache.sshd.sftp.common.SftpException e) {
            return null; // the checks below say why, or the create after them does
        }
    }

    /** Closes a handle nobody will write to; its file is removed by the clean-up that follows. */
    private static void close(FleetSftpClient sftp, byte[] handle) {
        if (handle == null) {
            return;
        }
        try {
            sftp.status(SftpConstants.SSH_FXP_CLOSE, sftp.sendHandle(SftpConstants.SSH_FXP_CLOSE, handle));
        } catch (IOException e) {
            // the channel is going away: the handle goes with it
        }
    }

    /**
     * The third batch: every WRITE, the size check (fstat), the mode, the owner of the file it replaces, fsync and
     * the CLOSE of the handle. One round trip for all of them; the handle is closed however it ends.
     */
    private static void writeAndSettle(
            RemoteFs fs,
            FleetSftpClient sftp,
            byte[] handle,
            byte[] content,
            Optional<Attributes> existing,
            RemoteWriter.Options o,
            String path)
            throws IOException {
        List<Integer> writes = new ArrayList<>();
        for (int at = 0; at < content.length; at += CHUNK) {
            writes.add(sftp.sendWrite(handle, at, content, at, Math.min(CHUNK, content.length - at)));
        }
        int size = sftp.sendHandle(SftpConstants.SSH_FXP_FSTAT, handle);
        int perms = o.mode() != null
                ? Modes.parse(o.mode())
                : existing.map(x -> x.getPermissions() & 07777).orElse(Modes.parse(o.newMode()));
        int mode = sftp.sendFsetstat(handle, new Attributes().perms(perms));
        Integer owner = existing.isPresent()
                ? sftp.sendFsetstat(
                        handle,
                        new Attributes()
                                .owner(
                                        existing.get().getUserId(),
                                        existing.get().getGroupId()))
                : null;
        Integer fsync = o.fsync() ? sftp.sendExtended("fsync@openssh.com", handle) : null;
        int close = sftp.sendHandle(SftpConstants.SSH_FXP_CLOSE, handle);
        IOException failed = null;
        for (int w : writes) {
            try {
                sftp.status(SftpConstants.SSH_FXP_WRITE, w);
            } catch (IOException e) {
                failed = failed != null ? failed : e;
            }
        }
        long actual = -1;
        try {
            actual = sftp.attributes(SftpConstants.SSH_FXP_FSTAT, size).getSize();
        } catch (IOException e) {
            failed = failed != null ? failed : e; // every answer is still taken below, so none is left waiting
        }
        IOException modeFailed = null;
        try {
            sftp.status(SftpConstants.SSH_FXP_FSETSTAT, mode);
        } catch (IOException e) {
            modeFailed = e;
        }
        if (owner != null) {
            try {
                sftp.status(SftpConstants.SSH_FXP_FSETSTAT, owner);
            } catch (IOException e) {
                // Same owner as before when we may (our own file, a group we are in); otherwise it is ours now.
            }
        }
        if (fsync != null) {
            try {
                sftp.status(SftpConstants.SSH_FXP_EXTENDED, fsync);
            } catch (IOException e) {
                // as RemoteFs.fsync: best effort, the rename still makes the content visible whole
            }
        }
        try {
            sftp.status(SftpConstants.SSH_FXP_CLOSE, close);
        } catch (IOException e) {
            failed = failed != null ? failed : e; // a close that fails can mean the last bytes did not land
        }
        if (failed != null) {
            throw failed;
        }
        if (actual != content.length) {
            throw new FleetException(
                    Kind.IO,
                    "the staged copy on " + fs.machine().name() + " has " + actual + " bytes, expected "
                            + content.length + " (disk full, or the transfer was cut); nothing was replaced.");
        }
        if (modeFailed != null && (o.mode() != null || existing.isEmpty())) {
            throw fs.fail(modeFailed, "set the mode of", path);
        }
    }
}
