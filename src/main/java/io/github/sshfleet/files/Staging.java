package io.github.sshfleet.files;

import java.time.Duration;


import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.ConnectionPool;

/**
 * Puts bytes in a private file on a host (0600, created in the same SFTP request, O_EXCL) so that a later command
 * can read them from there instead of from its command line: for text pasted into tmux, scripts, secrets.
 */
public final class Staging {

    private final ConnectionPool pool;
    private final Duration connectTimeout;

    public Staging(ConnectionPool pool, Duration connectTimeout) {
        this.pool = pool;
        this.connectTimeout = connectTimeout;
    }

    /** Writes {@code content} to a new /tmp/ssh-fleet-{@code kind}-random file and returns its path. */
    public String stage(Machine m, String kind, byte[] content) {
        String path = "/tmp/ssh-fleet-" + kind + "-" + Tokens.next();
        try (RemoteFs fs = RemoteFs.open(pool, m, pool.sessionDeadline(),
                connectTimeout.plusSeconds(20))) {
            fs.writeNew(path, 0600, content);
        }
        return path;
    }

    /** Best effort removal (the command that used the file normally removed it already). */
    public void remove(Machine m, String path) {
        try (RemoteFs fs = RemoteFs.open(pool, m, pool.sessionDeadline(), connectTimeout)) {
            fs.removeQuietly(path);
        } catch (RuntimeException e) {
            // the host is unreachable: nothing more we can do; the file is 0600
        }
    }
}
