package io.github.sshfleet.files;

import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.ConnectionPool;
import io.github.sshfleet.ssh.Lease;
import io.github.sshfleet.ssh.Shell;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHFsyncExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SFTP channel on a machine's pooled session, as the login user, for the length of one tool call. Paths are
 * resolved the way an operator writes them ({@code ~}, {@code ~/x}, relative to the login directory), and SFTP
 * failures become errors that say what to do next. Close it to give the channel permit back.
 */
final class RemoteFs implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RemoteFs.class);

    private final Machine machine;
    private final Lease lease;
    private final FleetSftpClient sftp;
    private NoSudo noSudo; // null: the tool has sudo
    /** False once the channel failed other than with an SFTP status: it is closed, not parked. */
    private boolean healthy = true;

    private RemoteFs(Machine machine, Lease lease, FleetSftpClient sftp) {
        this.machine = machine;
        this.lease = lease;
        this.sftp = sftp;
    }

    /**
     * The SFTP channel a call left behind on a pooled session, for the next call to take: opening one costs three
     * round trips (channel open, subsystem request, version exchange), which on a 50 ms link is 150 ms per
     * read_file. At most one per session, outside the channel permits; the session's MaxSessions has room for it
     * (max_channels_per_host stays below it). It dies with its session.
     */
    static final org.apache.sshd.common.AttributeRepository.AttributeKey<FleetSftpClient> PARKED =
            new org.apache.sshd.common.AttributeRepository.AttributeKey<>();

    /** Opens (or takes the parked) SFTP channel within the deadline; {@code stall} bounds every wait for one reply. */
    static RemoteFs open(ConnectionPool pool, Machine m, Deadline deadline, Duration stall) {
        ConnectionPool.Opened<FleetSftpClient> opened = pool.openChannel(m, deadline, (session, d) -> {
            FleetSftpClient parked = session.removeAttribute(PARKED);
            if (parked != null && parked.isOpen()) {
                parked.stall(stall);
                return parked;
            }
            if (parked != null) {
                parked.close();
            }
            return new FleetSftpClient(session, stall);
        });
        return new RemoteFs(m, opened.lease(), opened.channel());
    }

    /** What a tool without sudo does as the login user, for the hint on a permission error. */
    enum NoSudo {
        READ,
        WRITE,
        LIST
    }

    /**
     * For tools that have no sudo (download, sync): a permission error then suggests a step that works instead of a
     * parameter the tool does not have.
     */
    RemoteFs withoutSudo(NoSudo what) {
        noSudo = what;
        return this;
    }

    FleetSftpClient sftp() {
        return sftp;
    }

    Machine machine() {
        return machine;
    }

    /** The login user's home directory (where SFTP starts). */
    String home() {
        if (sftp.home() == null) {
            try {
                sftp.home(sftp.canonicalPath("."));
            } catch (IOException e) {
                throw fail(e, "find the home directory", ".");
            }
        }
        return sftp.home();
    }

    /** The path, normalized, when it is absolute (needs no SFTP round trip to resolve); otherwise null. */
    static String absolute(String path) {
        String p = path.strip();
        if (!p.startsWith("/") || p.indexOf('\0') >= 0) {
            return null;
        }
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** An absolute path: {@code ~} and {@code ~/x} are the login user's home, relative paths start there too. */
    String resolve(String path) {
        String p = path.strip();
        if (p.isEmpty()) {
            throw FleetException.badArgument("the remote path is empty");
        }
        if (p.indexOf('\0') >= 0) {
            throw FleetException.badArgument("the remote path contains a NUL byte");
        }
        if (p.equals("~")) {
            return home();
        }
        if (p.startsWith("~/")) {
            p = p.substring(2);
        } else if (p.startsWith("~")) {
            throw FleetException.badArgument(
                    FleetException.quote(path) + ": ~user paths are not supported; give the absolute path");
        }
        String abs = p.startsWith("/") ? p : home() + (home().endsWith("/") ? "" : "/") + p;
        while (abs.length() > 1 && abs.endsWith("/")) {
            abs = abs.substring(0, abs.length() - 1);
        }
        return abs;
    }

    /** stat (following symlinks); empty when nothing is there. */
    Optional<Attributes> stat(String path) {
        try {
            return Optional.of(sftp.stat(path));
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return Optional.empty();
            }
            throw fail(e, "stat", path);
        } catch (IOException e) {
            throw fail(e, "stat", path);
        }
    }

    /** A fresh hidden name next to {@code target}, for staging a file that is then renamed over it. */
    static String stagingName(String target, String suffix) {
        int slash = target.lastIndexOf('/');
        String dir = target.substring(0, slash + 1);
        String base = target.substring(slash + 1);
        if (base.length() > 100) {
            base = base.substring(0, 100);
        }
        return dir + "." + base + ".ssh-fleet-" + Tokens.next() + suffix;
    }

    static String parent(String abs) {
        int slash = abs.lastIndexOf('/');
        return slash <= 0 ? "/" : abs.substring(0, slash);
    }

    static String name(String abs) {
        return abs.substring(abs.lastIndexOf('/') + 1);
    }

    /** Creates {@code dir} and its missing parents with {@code perms}; existing ones are left alone. */
    void mkdirs(String dir, int perms) {
        if (dir.equals("/") || stat(dir).isPresent()) {
            Optional<Attributes> a = stat(dir);
            if (a.isPresent() && !a.get().isDirectory()) {
                throw new FleetException(
                        Kind.BAD_ARGUMENT, dir + " on " + machine.name() + " exists and is not a " + "directory");
            }
            return;
        }
        mkdirs(parent(dir), perms);
        try {
            sftp.mkdir(dir, perms);
        } catch (IOException e) {
            if (stat(dir).map(Attributes::isDirectory).orElse(false)) {
                return; // created meanwhile by someone else: fine
            }
            throw fail(e, "create directory", dir);
        }
    }

    /** Renames over an existing file atomically (posix-rename@openssh.com), as rename(2) does. */
    void renameReplacing(String from, String to) {
        try {
            OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
            if (posix != null && posix.isSupported()) {
                posix.posixRename(from, to);
            } else {
                // Plain SFTP v3 rename refuses an existing target; without the extension there is no atomic way.
                if (stat(to).isPresent()) {
                    sftp.remove(to);
                }
                sftp.rename(from, to);
            }
        } catch (IOException e) {
            throw fail(e, "move the staged file into place at", to);
        }
    }

    /** fsync@openssh.com when offered: the bytes are on disk before the rename makes them visible. */
    void fsync(org.apache.sshd.sftp.client.SftpClient.Handle handle) {
        OpenSSHFsyncExtension fsync = sftp.getExtension(OpenSSHFsyncExtension.class);
        if (fsync != null && fsync.isSupported()) {
            try {
                fsync.fsync(handle);
            } catch (IOException e) {
                log.debug("fsync failed on {}: {}", machine.name(), e.toString());
            }
        }
    }

    /**
     * Creates {@code path} with {@code perms} in the same request (O_EXCL: never an existing file or a planted
     * symlink) and writes {@code content}; a partial file is removed on failure.
     */
    void writeNew(String path, int perms, byte[] content) {
        try (CloseableHandle h = sftp.create(path, perms, true, false);
                OutputStream out = new SftpOutputStreamAsync(sftp, RemoteWriter.WRITE_CHUNK, path, h, false)) {
            out.write(content);
        } catch (IOException e) {
            removeQuietly(path);
            throw fail(e, "write", path);
        }
    }

    /** Best effort cleanup of a staging file; never masks the failure that led here. True if it is gone now. */
    boolean removeQuietly(String path) {
        try {
            sftp.remove(path);
            return true;
        } catch (IOException e) {
            if (e instanceof SftpException se && se.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return true;
            }
            log.warn("could not remove staging file {} on {}: {}", path, machine.name(), e.toString());
            return false;
        }
    }

    private String permissionHint(String path) {
        if (noSudo == NoSudo.READ) {
            return "This tool reads as the login user only: make a readable copy first, e.g. sudo_exec with command "
                    + "\"cp -r " + Shell.quote(path) + " /tmp/ && chown -R " + machine.username() + " /tmp/"
                    + Shell.quote(basename(path)) + "\", then use /tmp/" + basename(path) + "; a single file can also "
                    + "be read with read_file and sudo: true.";
        }
        if (noSudo == NoSudo.LIST) {
            return "list_dir lists as the login user only: list it as root with sudo_exec and command \"ls -la "
                    + Shell.quote(path) + "\".";
        }
        if (noSudo == NoSudo.WRITE) {
            return "This tool writes as the login user only: write into a directory it owns (e.g. /tmp/...), then move "
                    + "the result into place with sudo_exec; or use upload with sudo: true.";
        }
        return "Pass sudo: true to do it as root.";
    }

    private static String basename(String path) {
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** The error for a failed SFTP step, in words for the agent: what failed, why, what to try. */
    FleetException fail(IOException e, String action, String path) {
        healthy &= e instanceof SftpException; // a status answer leaves the channel fine; a stall or EOF does not
        String where = " " + path + " on " + machine.name();
        if (e instanceof FleetSftpClient.StalledException) {
            return new FleetException(
                    Kind.TIMEOUT,
                    "could not " + action + where + ": " + e.getMessage()
                            + ". The host may be overloaded or the disk hung; check it with exec.",
                    e);
        }
        if (e instanceof SftpException se) {
            switch (se.getStatus()) {
                case SftpConstants.SSH_FX_NO_SUCH_FILE, SftpConstants.SSH_FX_NO_SUCH_PATH:
                    return new FleetException(
                            Kind.NOT_FOUND,
                            "could not " + action + where + ": no such file or "
                                    + "directory. Check the path (exec 'ls -la " + parent(path) + "').",
                            e);
                case SftpConstants.SSH_FX_PERMISSION_DENIED:
                    return new FleetException(
                            Kind.PERMISSION,
                            "could not " + action + where + ": permission denied " + "for " + machine.username() + ". "
                                    + permissionHint(path),
                            e);
                case SftpConstants.SSH_FX_FILE_ALREADY_EXISTS:
                    return new FleetException(Kind.CONFLICT, "could not " + action + where + ": it already exists.", e);
                case SftpConstants.SSH_FX_FAILURE:
                    return new FleetException(
                            Kind.IO,
                            "could not " + action + where + ": the server reported a "
                                    + "failure (" + se.getMessage()
                                    + "). Common causes: disk full or quota exceeded (check "
                                    + "exec 'df -h " + parent(path) + "'), a directory where a file was expected, or a "
                                    + "read-only file system.",
                            e);
                default:
                    return new FleetException(Kind.IO, "could not " + action + where + ": " + se.getMessage(), e);
            }
        }
        return new FleetException(
                Kind.CONNECTION_LOST,
                "could not " + action + where + ": " + e.getMessage()
                        + ". The connection may have dropped; retry, and check the result before repeating a write.",
                e);
    }

    @Override
    public void close() {
        try {
            if (!healthy || !sftp.isOpen() || lease.session().computeAttributeIfAbsent(PARKED, k -> sftp) != sftp) {
                sftp.close(); // broken, or another call parked its channel first
            }
        } catch (IOException | RuntimeException e) {
            log.debug("closing sftp on {}: {}", machine.name(), e.toString());
        } finally {
            lease.close();
        }
    }
}
