package io.github.sshfleet.files;

import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.ssh.CommandRunner;
import io.github.sshfleet.ssh.ConnectionPool;
import io.github.sshfleet.ssh.Shell;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.impl.SftpInputStreamAsync;

/**
 * read_file: one window of a remote file, over SFTP as the login user, or as root through sudo (the bytes then come
 * from {@code tail | head} on stdout, the password only ever on sudo's stdin). Text is returned as text; binary data
 * is described, not returned.
 */
public final class RemoteReader {

    /** What one read found. {@code data} holds {@code length} bytes starting at {@code offset}. */
    public record Page(
            String path,
            long size,
            long offset,
            byte[] data,
            boolean truncated,
            boolean text,
            String type,
            String sha256,
            boolean asRoot) {
        public long nextOffset() {
            return offset + data.length;
        }

        public String textContent() {
            return Content.decode(data, 0, data.length);
        }
    }

    private final ConnectionPool pool;
    private final CommandRunner runner;
    private final Duration connectTimeout;

    public RemoteReader(ConnectionPool pool, CommandRunner runner, Duration connectTimeout) {
        this.pool = pool;
        this.runner = runner;
        this.connectTimeout = connectTimeout;
    }

    public Page read(Machine m, String path, long offset, int maxBytes, boolean sudo, Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        String abs = RemoteFs.absolute(path);
        Window w;
        if (sudo && abs != null) { // no SFTP channel needed at all
            w = readAsRoot(m, abs, offset, maxBytes, deadline);
        } else {
            try (RemoteFs fs = RemoteFs.open(pool, m, deadline.cappedAt(connectTimeout.plusSeconds(1)), timeout)) {
                abs = fs.resolve(path);
                w = sudo ? readAsRoot(m, abs, offset, maxBytes, deadline) : readOverSftp(fs, abs, offset, maxBytes);
            }
        }
        boolean truncated = w.bytes.length > maxBytes;
        int len = Math.min(w.bytes.length, maxBytes);
        boolean text = Content.isText(w.bytes, len, truncated || offset > 0);
        if (text && truncated) {
            len = Content.charBoundary(w.bytes, len); // the next page starts on a whole character
        }
        byte[] data = Arrays.copyOf(w.bytes, len);
        if (text) {
            return new Page(abs, w.size, offset, data, truncated, true, "text", null, sudo);
        }
        String type = offset == 0 ? Content.guessType(data, data.length) : "binary data";
        return new Page(abs, w.size, offset, data, truncated, false, type, sha256(m, abs, sudo, deadline), sudo);
    }

    /** The bytes read (up to maxBytes + 1, to know whether more follow) and the file's size. */
    private record Window(byte[] bytes, long size) {}

    /** Windows up to this size are read with every request in flight at once (one round trip); larger ones stream. */
    static final long PIPELINED_MAX = 1 << 20;

    // Long on purpose: the one-round-trip path for small files and the streaming one share the stat, the checks and
    // the error mapping, in that order.
    private Window readOverSftp(RemoteFs fs, String abs, long offset, int maxBytes) {
        FleetSftpClient.Looked looked;
        try {
            looked = fs.sftp().statAndOpen(abs); // one round trip for both
        } catch (org.apache.sshd.sftp.common.SftpException e) {
            if (e.getStatus() == org.apache.sshd.sftp.common.SftpConstants.SSH_FX_NO_SUCH_FILE
                    || e.getStatus() == org.apache.sshd.sftp.common.SftpConstants.SSH_FX_NO_SUCH_PATH) {
                throw new FleetException(
                        Kind.NOT_FOUND,
                        "no such file: " + abs + " on " + fs.machine().name() + ". Check the path (exec 'ls -la "
                                + RemoteFs.parent(abs) + "').");
            }
            throw fs.fail(e, "read", abs);
        } catch (IOException e) {
            throw fs.fail(e, "read", abs);
        }
        Attributes a = looked.attributes();
        if (!a.isRegularFile()) {
            closeQuietly(fs, looked.handle());
        }
        checkRegular(fs.machine(), abs, a.isDirectory(), a.isRegularFile());
        // stat size is 0 for /proc and /sys files that still have content: read until EOF either way.
        long size = a.getSize();
        long end = offset + maxBytes + 1L;
        if (size > 0 && Math.min(size, end) - offset <= PIPELINED_MAX) {
            try {
                return new Window(fs.sftp().readAllAndClose(looked.handle(), offset, Math.min(size, end)), size);
            } catch (IOException e) {
                throw fs.fail(e, "read", abs);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(maxBytes + 1L, Math.max(size, 256)));
        try (CloseableHandle h = looked.handle();
                // Read-ahead stops at the end of the window, not the end of a possibly huge file.
                InputStream in = new SftpInputStreamAsync(
                        fs.sftp(), 32 * 1024, offset, size > 0 ? Math.min(size, offset + maxBytes + 1L) : 0, abs, h)) {
            byte[] buf = new byte[32 * 1024];
            int want = maxBytes + 1;
            int n;
            while (want > 0 && (n = in.read(buf, 0, Math.min(buf.length, want))) > 0) {
                out.write(buf, 0, n);
                want -= n;
            }
        } catch (IOException e) {
            throw fs.fail(e, "read", abs);
        }
        return new Window(out.toByteArray(), size);
    }

    private static void closeQuietly(RemoteFs fs, CloseableHandle h) {
        try {
            h.close();
        } catch (IOException e) {
            fs.fail(e, "close", h.getPath()); // marks the channel unfit for the next call; the check below says why
        }
    }

    private static final String ROOT_READ = """
            if [ ! -e "$f" ]; then exit 66; fi
            if [ -d "$f" ]; then exit 67; fi
            if [ ! -f "$f" ]; then exit 68; fi
            stat -L -c %s -- "$f"
            tail -c +"$((off + 1))" -- "$f" | head -c "$n"
            """;

    private Window readAsRoot(Machine m, String abs, long offset, int maxBytes, Deadline deadline) {
        String command = "f=" + Shell.quote(abs) + "; off=" + offset + "; n=" + (maxBytes + 1L) + "\n" + ROOT_READ;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandResult r = runner.runTo(m, command, deadline.remaining().plusMillis(1), true, out, 4096);
        if (r.failure() != null) {
            throw r.failure();
        }
        if (r.timedOut()) {
            throw new FleetException(Kind.TIMEOUT, "reading " + abs + " as root on " + m.name() + " timed out");
        }
        int exit = r.exitCode() == null ? -1 : r.exitCode();
        if (exit == 66) {
            throw new FleetException(Kind.NOT_FOUND, "no such file: " + abs + " on " + m.name() + " (looked as root).");
        }
        checkRegular(m, abs, exit == 67, exit != 68);
        byte[] all = out.toByteArray();
        int nl = indexOf(all, (byte) '\n');
        if (exit != 0 || nl < 0) {
            throw new FleetException(
                    Kind.IO,
                    "reading " + abs + " as root on " + m.name() + " failed (exit " + exit + "): "
                            + r.stderr().strip());
        }
        long size = Long.parseLong(new String(all, 0, nl, java.nio.charset.StandardCharsets.US_ASCII).strip());
        return new Window(Arrays.copyOfRange(all, nl + 1, all.length), size);
    }

    private static void checkRegular(Machine m, String abs, boolean directory, boolean regular) {
        if (directory) {
            throw FleetException.badArgument(abs + " on " + m.name() + " is a directory, not a file. List it with "
                    + "exec 'ls -la " + abs + "', or fetch it with download (recursive).");
        }
        if (!regular) {
            throw FleetException.badArgument(abs + " on " + m.name() + " is not a regular file (a device, FIFO or "
                    + "socket); reading it could block. Use exec with a bounded command such as 'head -c 4096'.");
        }
    }

    /** sha256 of the whole file, computed on the host (the file may be far larger than one page); null if unknown. */
    private String sha256(Machine m, String abs, boolean sudo, Deadline deadline) {
        if (deadline.expired()) {
            return null;
        }
        CommandResult r = runner.run(
                m, "sha256sum -- " + Shell.quote(abs), deadline.remaining().plusMillis(1), sudo, 4096);
        String out = r.stdout().strip();
        return r.ok() && out.length() >= 64 && out.substring(0, 64).matches("[0-9a-f]{64}")
                ? out.substring(0, 64)
                : null;
    }

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }
}
