package io.github.sshfleet.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.client.channel.PtyCapableChannelSession;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.helpers.AbstractConnectionService;
import org.apache.sshd.common.util.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session channel opened before its command is known, so the next exec on a pooled session starts with its request
 * instead of waiting a round trip for a channel open: SSH addresses a request to the channel id the server's open
 * confirmation carries, so the two cannot be pipelined. One per session at most, kept as a session attribute and
 * opened in the background after an exec starts; it costs the server an idle channel, not a process (sshd forks only
 * for the request). Used only for a plain exec (no tty, no environment), which is what the channel is opened for.
 */
final class SpareChannel extends PtyCapableChannelSession {

    private static final Logger log = LoggerFactory.getLogger(SpareChannel.class);

    private static final AttributeKey<SpareChannel> SPARE = new AttributeKey<>();

    /** Set while a spare is being opened, so concurrent execs on one session open one spare, not one each. */
    private static final AttributeKey<AtomicBoolean> OPENING = new AttributeKey<>();

    private final Redirect out = new Redirect();
    private final Redirect err = new Redirect();

    /** Completes when the server answers the exec request, or the channel closes (its result then says how). */
    private final java.util.concurrent.CompletableFuture<Void> answered =
            new java.util.concurrent.CompletableFuture<>();

    private SpareChannel() {
        super(false, null, Map.of());
        setOut(out);
        setErr(err);
        addCloseFutureListener(f -> answered.complete(null));
    }

    /** The session's spare when it has an open one; it is then the caller's to use or close. */
    static SpareChannel take(ClientSession session) {
        SpareChannel s = session.removeAttribute(SPARE);
        if (s == null) {
            return null;
        }
        if (!s.isOpen() || s.isClosing() || !session.isOpen()) {
            s.close(true);
            return null;
        }
        return s;
    }

    /**
     * Set once the server refused a channel on the session: its MaxSessions is small enough for a spare to take the
     * slot a real call needs, so no spare is opened there again.
     */
    private static final AttributeKey<Boolean> REFUSED = new AttributeKey<>();

    /**
     * Closes the session's spare and opens none there again: the server refused a channel (MaxSessions), and an idle
     * spare may be what it counts. Before, each exec that started opened a new spare, which could take the slot a
     * call waiting on the refusal was retrying for, so it was refused as busy with one command running on a
     * MaxSessions 2 host.
     */
    static void discard(ClientSession session) {
        session.setAttribute(REFUSED, Boolean.TRUE);
        SpareChannel s = session.removeAttribute(SPARE);
        if (s != null) {
            closeOpened(s);
        }
    }

    /**
     * Closes a spare the server opened so that the server hears of it: MINA's immediate close sends nothing, and the
     * server would keep counting the channel against MaxSessions for the life of the connection.
     */
    private static void closeOpened(SpareChannel s) {
        s.close(false);
    }

    /**
     * Opens a spare in the background unless the session has one or is opening one, or is busy: half of
     * {@code maxChannels} channels or more. sshd frees a session slot only in the poll round after it read the
     * channel's close, so a close and the next open sent together count twice against its MaxSessions (10 by
     * default); a spare on top of eight running commands made those refusals the rule (441 in 480 back-to-back execs
     * from 8 callers, 9 with this limit). Never blocks, never throws.
     */
    static void refill(ClientSession session, int maxChannels) {
        AtomicBoolean opening = session.computeAttributeIfAbsent(OPENING, k -> new AtomicBoolean());
        if (!session.isOpen()
                || session.getAttribute(REFUSED) != null
                || session.getAttribute(SPARE) != null
                || channels(session) >= Math.max(1, maxChannels / 2)
                || !opening.compareAndSet(false, true)) {
            return;
        }
        SpareChannel s = new SpareChannel();
        try {
            session.getService(ConnectionService.class).registerChannel(s);
            s.open().addListener(f -> {
                opening.set(false);
                if (!f.isOpened()) {
                    session.setAttribute(REFUSED, Boolean.TRUE); // refused, or the session is going: no more spares
                }
                if (!f.isOpened()) {
                    s.close(true); // never opened: nothing on the server to close
                } else if (!session.isOpen()
                        || session.getAttribute(REFUSED) != null
                        || session.computeAttributeIfAbsent(SPARE, k -> s) != s) {
                    closeOpened(s);
                }
            });
        } catch (IOException | RuntimeException e) {
            opening.set(false);
            s.close(true);
            log.debug("no spare channel on {}: {}", session, e.toString());
        }
    }

    static int channels(ClientSession session) { // package-private: SpareChannelTest counts with it too
        return session.getService(ConnectionService.class) instanceof AbstractConnectionService c
                ? c.getChannels().size()
                : 0;
    }

    /**
     * Sends {@code command} as this channel's exec request, its output to {@code stdout} and {@code stderr}, with a
     * reply asked for: a channel opened ahead proves nothing about the host now, and the reply (which sshd sends as
     * it starts the command, so it travels with the first output) is how a host that froze since is told apart.
     */
    void exec(String command, OutputStream stdout, OutputStream stderr) throws IOException {
        out.to = stdout;
        err.to = stderr;
        byte[] bytes = command.getBytes(StandardCharsets.UTF_8);
        Buffer buffer = getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, bytes.length + 32);
        buffer.putUInt(getRecipient());
        buffer.putString(Channel.CHANNEL_EXEC);
        buffer.putBoolean(true);
        buffer.putBytes(bytes);
        addPendingRequest(Channel.CHANNEL_EXEC, true);
        writePacket(buffer);
    }

    /** Whether the server answered the exec request (or closed the channel) within {@code millis}. */
    boolean answeredWithin(long millis) {
        try {
            answered.get(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true; // the command's own wait ends on the interrupt and reports it
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    @Override
    public void handleSuccess() throws IOException {
        removePendingRequest(Channel.CHANNEL_EXEC);
        answered.complete(null);
    }

    /** sshd refused to run it (nothing started): the channel closes, and the result says the command did not run. */
    @Override
    public void handleFailure() throws IOException {
        removePendingRequest(Channel.CHANNEL_EXEC);
        answered.complete(null);
        closeOpened(this); // the channel is still open on the server
    }

    /** Output sent on before the command's streams are known; nothing arrives before the request, so never dropped. */
    private static final class Redirect extends OutputStream {
        private volatile OutputStream to = OutputStream.nullOutputStream();

        @Override
        public void write(int b) throws IOException {
            to.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            to.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            to.flush();
        }

        @Override
        public void close() throws IOException {
            to.close();
        }
    }
}
