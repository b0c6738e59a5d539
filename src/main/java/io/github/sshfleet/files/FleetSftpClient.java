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

    private final Duration stall;

    FleetSftpClient(ClientSession session, Duration stall) throws IOException {
        super(session, SftpVersionSelector.fixedVersionSelector(SftpConstants.SFTP_V3), SftpErrorDataHandler.EMPTY);
        this.stall = stall;
    }

    /**
     * Opens {@code path} for writing, creating it with {@code perms} when it does not exist. {@code exclusive}
     * refuses an existing path (including a symlink planted there); {@code append} writes at the end.
     */
    CloseableHandle create(String path, int perms, boolean exclusive, boolean append) throws IOException {
        Buffer buffer = new ByteArrayBuffer(path.length() + 64, false);
        buffer.putString(path, getNameDecodingCharset());
        int flags = SftpConstants.SSH_FXF_WRITE | SftpConstants.SSH_FXF_CREAT;
        flags |= exclusive ? SftpConstants.SSH_FXF_EXCL : 0;
        flags |= append ? SftpConstants.SSH_FXF_APPEND : SftpConstants.SSH_FXF_TRUNC;
        buffer.putInt(flags);
        buffer = writeAttributes(SftpConstants.SSH_FXP_OPEN, buffer, new Attributes().perms(perms));
        return new DefaultCloseableHandle(this, path, checkHandle(SftpConstants.SSH_FXP_OPEN, buffer));
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
