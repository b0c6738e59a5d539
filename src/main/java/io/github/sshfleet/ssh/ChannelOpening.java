package io.github.sshfleet.ssh;

import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import java.io.IOException;
import java.time.Duration;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How {@link ConnectionPool#openChannel} opens a channel: retries that are safe because nothing has run yet. */
final class ChannelOpening {

    private static final Logger log = LoggerFactory.getLogger(ChannelOpening.class);

    private ChannelOpening() {}

    /**
     * Opens one channel on a machine's pooled session within the deadline. A channel the server refuses (MaxSessions still
     * counts channels we closed a moment ago) is retried on the same healthy session after a short back-off for up to
     * connect_timeout, and the session is kept for the commands it carries; any other failure means the pooled session is
     * dead, so it is replaced once. Nothing has run on the host when this fails, so the retries are always safe. The
     * caller closes the channel, then the lease.
     */
    static <T> ConnectionPool.Opened<T> open(
            ConnectionPool pool,
            Machine m,
            Deadline deadline,
            Duration connectTimeout,
            ConnectionPool.ChannelOpener<T> opener) {
        boolean reconnected = false;
        RefusalBackoff refusals = null; // set by the first refusal
        while (true) {
            Lease lease = pool.acquire(m, deadline);
            ClientSession session = lease.session();
            try {
                // Waiting for a turn to connect may take long; a channel on a live session must answer quickly.
                return new ConnectionPool.Opened<>(lease, opener.open(session, deadline.cappedAt(connectTimeout)));
            } catch (IOException | RuntimeException e) {
                lease.close();
                if (e instanceof FleetException fe) {
                    throw fe;
                }
                if (refusedByServer(e) && session.isOpen()) {
                    // The session is healthy and may carry other commands: it is never dropped for a refusal (that
                    // lost their results). sshd frees a slot when it has processed a channel's close, so a short
                    // wait is usually enough; refused for connect_timeout, the call is refused, nothing having run.
                    SpareChannel.discard(session); // an idle spare may be what MaxSessions counts
                    if (refusals == null) {
                        refusals = pool.refusalBackoff(min(connectTimeout, deadline.remaining()));
                    }
                    long pause = refusals.nextPauseMillis();
                    if (pause >= 0 && !deadline.expired()) {
                        log.debug("channel refused on {} ({}); retrying", m.name(), e.toString());
                        if (!pool.pause(pause)) {
                            throw new FleetException(
                                    FleetException.Kind.CANCELLED,
                                    "cancelled while waiting for a channel on " + m.name() + "; nothing was run",
                                    e);
                        }
                        continue;
                    }
                    throw new FleetException(
                            FleetException.Kind.BUSY,
                            m.name() + " (" + m.address() + ") kept refusing a new channel: its sshd limits "
                                    + "sessions per connection (MaxSessions) and the commands already running there "
                                    + "fill it. Nothing was run; they are not affected. Retry when they finish, or "
                                    + "set max_channels_per_host below the host's MaxSessions.",
                            e);
                }
                lease.evict();
                if (timedOut(e)) {
                    // No answer at all on a live TCP connection: a frozen or overloaded host. A reconnect would
                    // most likely hang the same way, doubling the wait; the next call connects afresh.
                    throw new FleetException(
                            FleetException.Kind.TIMEOUT,
                            m.name() + " (" + m.address() + ") did "
                                    + "not answer a channel request within " + connectTimeout.toSeconds() + " s: "
                                    + "it may be frozen, overloaded or cut off. Nothing was started there; the pooled "
                                    + "session was dropped and the next call connects afresh.",
                            e);
                }
                if (!reconnected && !deadline.expired()) {
                    reconnected = true;
                    log.debug("channel open on {} failed ({}); reconnecting once", m.name(), e.toString());
                    continue;
                }
                throw new FleetException(
                        FleetException.Kind.CONNECTION_LOST,
                        "could not open a channel to " + m.name()
                                + " (" + m.address() + ") after reconnecting: " + e.getMessage()
                                + ". The server may limit sessions (MaxSessions) or be restarting; retry shortly.",
                        e);
            }
        }
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static boolean refusedByServer(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SshChannelOpenException) {
                return true;
            }
        }
        return false;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
