package io.github.sshfleet.files;

import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.ConnectionPool;
import java.time.Duration;

/**
 * Puts bytes in a private file on a host (0600, created in the same SFTP request, O_EXCL) so that a later command
 * can read them from there instead of from its command line: for text pasted into tmux, scripts, secrets.
 */
public final class Staging {

    private final ConnectionPool pool;
    private final Litter litter;
    private final Duration connectTimeout;
    private final java.util.Map<String, Litter.Ticket> staged = new java.util.concurrent.ConcurrentHashMap<>();

    public Staging(ConnectionPool pool, Litter litter, Duration connectTimeout) {
        this.pool = pool;
        this.litter = litter;
        this.connectTimeout = connectTimeout;
    }

    /** Writes {@code content} to a new /tmp/ssh-fleet-{@code kind}-random file and returns its path. */
    public String stage(Machine m, String kind, byte[] content) {
        String path = "/tmp/ssh-fleet-" + kind + "-" + Tokens.next();
        staged.put(path, litter.remote(m, path));
        try (RemoteFs fs = RemoteFs.open(pool, m, pool.sessionDeadline(), connectTimeout.plusSeconds(20))) {
            fs.writeNew(path, 0600, content);
        }
        return path;
    }

    /** Best effort removal (the command that used the file normally removed it already). */
    public void remove(Machine m, String path) {
        try (RemoteFs fs = RemoteFs.open(pool, m, pool.sessionDeadline(), connectTimeout)) {
            if (fs.removeQuietly(path)) {
                done(path);
            } else {
                leftBehind(path);
            }
        } catch (RuntimeException e) {
            leftBehind(path); // the host is unreachable: removed on its next connection; the file is 0600
        }
    }

    /**
     * The command that used the file has removed it itself: only the journal entry is closed, with no round trip to
     * the host.
     */
    public void forget(String path) {
        done(path);
    }

    private void done(String path) {
        Litter.Ticket t = staged.remove(path);
        if (t != null) {
            t.close();
        }
    }

    private void leftBehind(String path) {
        Litter.Ticket t = staged.remove(path);
        if (t != null) {
            t.leftBehind();
        }
    }
}
