package io.github.sshfleet.files;

import java.io.IOException;
import java.time.Duration;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.client.SftpErrorDataHandler;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.client.impl.DefaultCloseableHandle;
import org.apache.sshd.sftp.client.impl.DefaultSftpClient;
import org.apache.sshd.sftp.common.SftpConstants;

/**
 * MINA's SFTP client with the two things it lacks here. (1) Files and directories created with their permissions in
 * the same request (SSH_FXP_OPEN/MKDIR with attributes): with open-then-chmod, another local user could open a
 * private staging file in /tmp during the gap and read the secret written later. (2) A bound on every wait: MINA
 * waits for a reply up to the session's idle timeout (10 minutes, since the pool turns idle timeouts off); here a
 * server that stops answering fails the operation after {@code stall}.
 * Speaks SFTP v3, which is what OpenSSH's sftp-server implements.
 */
final class FleetSftpClient extends DefaultSftpClient {

    private volatile Duration stall;
    /** The login user's home directory once asked for: the same for every call on this channel. */
    private volatile String home;

    FleetSftpClient(ClientSession session, Duration stall) throws IOException {
        super(session, SftpVersionSelector.fixedVersionSelector(SftpConstants.SFTP_V3), SftpErrorDataHandler.EMPTY);
        this.stall = stall;
    }

    /** A parked channel taken by the next call: that call's limit for one reply. */
    void stall(Duration limit) {
        this.stall = limit;
    }

    String home() {
        return home;
    }

    void home(String dir) {
        this.home = dir;
    }

    /**
     * Opens {@code path} for writing, creating it with {@code perms} when it does not exist. {@code exclusive}
     * refuses an existing path (including a symlink planted there); {@code append} writes at the end.
     */
    CloseableHandle create(String path, int perms, boolean exclusive, boolean append) throws IOException {
        return new DefaultCloseableHandle(
                this, path, handle(SftpConstants.SSH_FXP_OPEN, sendCreate(path, perms, exclusive, append)));
    }

    /** The OPEN of {@link #create}, sent without waiting; its answer is {@link #handle}(SSH_FXP_OPEN, id). */
    int sendCreate(String path, int perms, boolean exclusive, boolean append) throws IOException {
        Buffer buffer = new ByteArrayBuffer(path.length() + 64, false);
        buffer.putString(path, getNameDecodingCharset());
        int flags = SftpConstants.SSH_FXF_WRITE | SftpConstants.SSH_FXF_CREAT;
        flags |= exclusive ? SftpConstants.SSH_FXF_EXCL : 0;
        flags |= append ? SftpConstants.SSH_FXF_APPEND : SftpConstants.SSH_FXF_TRUNC;
        buffer.putInt(flags);
        buffer = writeAttributes(SftpConstants.SSH_FXP_OPEN, buffer, new Attributes().perms(perms));
        return send(SftpConstants.SSH_FXP_OPEN, buffer);
    }

    /** What {@link #statAndOpen} found: the file's attributes and, when it could be opened, a read handle. */
    record Looked(Attributes attributes, CloseableHandle handle) {}

    /**
     * STAT and OPEN sent together and answered in one round trip. A failed stat is thrown (after the open's answer
     * is taken, and a handle it gave closed); a failed open is thrown after a good stat.
     */
    Looked statAndOpen(String path) throws IOException {
        Buffer stat = new ByteArrayBuffer(path.length() + 16, false);
        stat.putString(path, getNameDecodingCharset());
        int statId = send(SftpConstants.SSH_FXP_STAT, stat);
        Buffer open = new ByteArrayBuffer(path.length() + 32, false);
        open.putString(path, getNameDecodingCharset());
        open.putInt(SftpConstants.SSH_FXF_READ);
        open.putInt(0); // no attributes
        int openId = send(SftpConstants.SSH_FXP_OPEN, open);
        Attributes attributes;
        try {
            attributes = checkAttributesResponse(response(SftpConstants.SSH_FXP_STAT, statId));
        } catch (IOException e) {
            try {
                byte[] h = checkHandleResponse(response(SftpConstants.SSH_FXP_OPEN, openId));
                new DefaultCloseableHandle(this, path, h).close();
            } catch (IOException ignored) {
                // the open failed too, as expected
            }
            throw e;
        }
        byte[] handle = checkHandleResponse(response(SftpConstants.SSH_FXP_OPEN, openId));
        return new Looked(attributes, new DefaultCloseableHandle(this, path, handle));
    }

    /**
     * Reads {@code [offset, end)} of an open file with every READ sent at once, then CLOSE behind them, and takes the
     * answers: one round trip for a small file, however many chunks. Stops at EOF; the handle is closed either way.
     */
    byte[] readAllAndClose(CloseableHandle handle, long offset, long end) throws IOException {
        int chunk = 64 * 1024;
        java.util.List<Integer> reads = new java.util.ArrayList<>();
        byte[] id = handle.getIdentifier();
        for (long at = offset; at < end; at += chunk) {
            Buffer read = new ByteArrayBuffer(id.length + 32, false);
            read.putBytes(id);
            read.putLong(at);
            read.putInt((int) Math.min(chunk, end - at));
            reads.add(send(SftpConstants.SSH_FXP_READ, read));
        }
        Buffer close = new ByteArrayBuffer(id.length + 16, false);
        close.putBytes(id);
        int closeId = send(SftpConstants.SSH_FXP_CLOSE, close);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream((int) Math.min(end - offset, 1 << 20));
        IOException failed = null;
        boolean eof = false;
        for (int readId : reads) {
            org.apache.sshd.sftp.client.impl.SftpResponse r = response(SftpConstants.SSH_FXP_READ, readId);
            if (eof || failed != null) {
                continue; // taken so nothing waits in the channel; the file ended or failed before
            }
            Buffer payload = r.getBuffer();
            int start = payload.rpos();
            if (r.getType() == SftpConstants.SSH_FXP_DATA) {
                byte[] data = payload.getBytes();
                out.write(data, 0, data.length);
            } else if (r.getType() == SftpConstants.SSH_FXP_STATUS && payload.getInt() == SftpConstants.SSH_FX_EOF) {
                eof = true;
            } else {
                payload.rpos(start);
                try {
                    checkResponseStatus(r);
                    failed = new IOException("unexpected answer to a read");
                } catch (IOException e) {
                    failed = e;
                }
            }
        }
        try {
            checkResponseStatus(response(SftpConstants.SSH_FXP_CLOSE, closeId));
        } catch (IOException e) {
            failed = failed != null ? failed : e;
        }
        if (failed != null) {
            throw failed;
        }
        return out.toByteArray();
    }

    // Requests sent without waiting, and their answers taken later in the same order: a batch of them costs one round
    // trip. The server handles requests in order, so a later one sees what an earlier one did.

    int sendPath(int cmd, String path) throws IOException {
        Buffer b = new ByteArrayBuffer(path.length() + 16, false);
        b.putString(path, getNameDecodingCharset());
        return send(cmd, b);
    }

    int sendHandle(int cmd, byte[] handle) throws IOException {
        Buffer b = new ByteArrayBuffer(handle.length + 16, false);
        b.putBytes(handle);
        return send(cmd, b);
    }

    int sendWrite(byte[] handle, long offset, byte[] data, int from, int length) throws IOException {
        Buffer b = new ByteArrayBuffer(handle.length + length + 32, false);
        b.putBytes(handle);
        b.putLong(offset);
        b.putBytes(data, from, length);
        return send(SftpConstants.SSH_FXP_WRITE, b);
    }

    int sendFsetstat(byte[] handle, Attributes attributes) throws IOException {
        Buffer b = new ByteArrayBuffer(handle.length + 64, false);
        b.putBytes(handle);
        return send(SftpConstants.SSH_FXP_FSETSTAT, writeAttributes(SftpConstants.SSH_FXP_FSETSTAT, b, attributes));
    }

    /** An OpenSSH extension request ({@code fsync@openssh.com}, {@code posix-rename@openssh.com}). */
    int sendExtended(String name, byte[]... args) throws IOException {
        Buffer b = new ByteArrayBuffer(name.length() + 64, false);
        b.putString(name);
        for (byte[] a : args) {
            b.putBytes(a);
        }
        return send(SftpConstants.SSH_FXP_EXTENDED, b);
    }

    byte[] pathBytes(String path) {
        return path.getBytes(getNameDecodingCharset());
    }

    boolean offers(String extension) {
        return getServerExtensions().containsKey(extension);
    }

    Attributes attributes(int cmd, int id) throws IOException {
        return checkAttributesResponse(response(cmd, id));
    }

    /** The attributes, or empty when the path does not exist. */
    java.util.Optional<Attributes> attributesIfAny(int cmd, int id) throws IOException {
        try {
            return java.util.Optional.of(attributes(cmd, id));
        } catch (org.apache.sshd.sftp.common.SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return java.util.Optional.empty();
            }
            throw e;
        }
    }

    byte[] handle(int cmd, int id) throws IOException {
        return checkHandleResponse(response(cmd, id));
    }

    void status(int cmd, int id) throws IOException {
        checkResponseStatus(response(cmd, id));
    }

    /** mkdir with its permissions set by the server as it creates the directory. */
    void mkdir(String path, int perms) throws IOException {
        Buffer buffer = new ByteArrayBuffer(path.length() + 32, false);
        buffer.putString(path, getNameDecodingCharset());
        buffer = writeAttributes(SftpConstants.SSH_FXP_MKDIR, buffer, new Attributes().perms(perms));
        checkCommandStatus(SftpConstants.SSH_FXP_MKDIR, buffer);
    }

    @Override
    public Buffer receive(int id) throws IOException {
        Buffer result = receive(id, stall);
        if (result == null) {
            throw new StalledException(stall);
        }
        return result;
    }

    @Override
    public Buffer receive(int id, Duration timeout) throws IOException {
        // Duration.ZERO is MINA polling for an ack without waiting: keep it. Anything longer is capped.
        Duration capped = timeout.isZero() || timeout.isNegative() || timeout.compareTo(stall) <= 0 ? timeout : stall;
        return super.receive(id, capped);
    }

    /** The server did not answer one request within the stall limit. */
    static final class StalledException extends IOException {
        StalledException(Duration stall) {
            super("the SFTP server sent no reply for " + stall.toSeconds() + " s");
        }
    }
}
