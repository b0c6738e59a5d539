package io.github.sshfleet.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.util.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.sshfleet.Deadline;
import io.github.sshfleet.FleetException;
import io.github.sshfleet.FleetException.Kind;
import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.fleet.Machine;

/**
 * Runs one command on one machine over a pooled session: stdout and stderr kept apart and bounded, a deadline that
 * really stops the remote command, and a dead pooled session replaced once, transparently, before the command starts.
 * A command is never re-run after it started: if the connection drops mid-command the result says so.
 */
public final class CommandRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);

    /** After TERM, how long a command gets to exit before KILL; after KILL, before we stop waiting. */
    private static final Duration TERM_GRACE = Duration.ofMillis(1500);
    private static final Duration KILL_GRACE = Duration.ofMillis(1000);

    private final ConnectionPool pool;
    private final FleetConfig config;
    private final ExecutorService helpers;

    public CommandRunner(ConnectionPool pool, FleetConfig config) {
        this.pool = pool;
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        this.helpers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ssh-fleet-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code command} in a login shell (as root through sudo when {@code sudo}), keeping at most
     * {@code outputCap} bytes of each stream. Never throws for expected failures: they come back in the result.
     */
    public CommandResult run(Machine m, String command, Duration timeout, boolean sudo, int outputCap) {
        return run(m, command, timeout, sudo, true, new BoundedOutput(outputCap), outputCap);
    }

    /**
     * Like {@link #run(Machine, String, Duration, boolean, int)} but without a login shell: for ssh-fleet's own
     * plumbing (tmux, polling), where a slow profile (pyenv, nvm, conda init) would be paid on every call.
     */
    public CommandResult runPlain(Machine m, String command, Duration timeout, boolean sudo, int outputCap) {
        return run(m, command, timeout, sudo, false, new BoundedOutput(outputCap), outputCap);
    }

    /**
     * Like {@link #run(Machine, String, Duration, boolean, int)}, but stdout goes to {@code stdout} byte for byte
     * (for callers that need raw bytes, e.g. reading a binary file as root); the result's stdout text is empty then.
     */
    public CommandResult runTo(Machine m, String command, Duration timeout, boolean sudo, OutputStream stdout,
                               int stderrCap) {
        return run(m, command, timeout, sudo, true, stdout, stderrCap);
    }

    private CommandResult run(Machine m, String command, Duration timeout, boolean sudo, boolean login,
                              OutputStream out, int stderrCap) {
        long start = System.nanoTime();
        try {
            return runOrThrow(m, command, timeout, sudo, login, out, stderrCap, start);
        } catch (FleetException e) {
            return CommandResult.failed(m.name(), m.address(), elapsed(start), e);
        }
    }

    private CommandResult runOrThrow(Machine m, String command, Duration timeout, boolean sudo, boolean login,
                                     OutputStream out, int stderrCap, long start) {
        Deadline connectDeadline = Deadline.after(config.connectTimeout().plusSeconds(1));
        BoundedOutput err = new BoundedOutput(stderrCap);
        ChannelExec[] channelRef = new ChannelExec[1];
        Sudo sudoFilter = sudo ? new Sudo(m.password(), m.name(), err, helpers, () -> abort(channelRef[0])) : null;
        String remote = sudo ? sudoFilter.wrap(command, login) : login ? Shell.login(command) : command;

        ConnectionPool.Opened<ChannelExec> opened = pool.openChannel(m, connectDeadline, (session, deadline) -> {
            ChannelExec channel = session.createExecChannel(remote);
            try {
                channel.setOut(out);
                channel.setErr(sudo ? sudoFilter : err);
                channelRef[0] = channel;
                if (!channel.open().verify(Math.max(1, deadline.remainingMillis())).isOpened()) {
                    throw new IOException("channel did not open");
                }
                return channel;
            } catch (IOException | RuntimeException e) {
                channel.close(true);
                throw e;
            }
        });
        ChannelExec channel = opened.channel();
        try {
            if (sudo) {
                sudoFilter.attach(channel.getInvertedIn());
            } else {
                closeQuietly(channel.getInvertedIn()); // stdin is empty: a command reading it sees EOF at once
            }
            return await(m, channel, channel.getClientSession(), timeout, out, err, sudoFilter, start);
        } finally {
            channel.close(true);
            opened.lease().close();
        }
    }

    private CommandResult await(Machine m, ChannelExec channel, ClientSession session, Duration timeout,
                                OutputStream out, BoundedOutput err, Sudo sudo, long start) {
        Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
        boolean timedOut = events.contains(ClientChannelEvent.TIMEOUT);
        if (timedOut) {
            stop(channel);
        }
        Integer exit = channel.getExitStatus();
        String signal = channel.getExitSignal();
        FleetException failure = null;
        if (sudo != null && sudo.failure() != null) {
            failure = new FleetException(Kind.SUDO, sudo.failure());
        } else if (sudo != null && !sudo.ready() && !timedOut) {
            String said = sudo.preambleText();
            failure = new FleetException(Kind.SUDO, "sudo failed on " + m.name() + (exit != null ? " (exit " + exit + ")" : "")
                    + (said.isEmpty() ? "" : ": " + said)
                    + ". Check that " + m.username() + " may use sudo there (sudo -l) and that sudo is installed.");
        } else if (!timedOut && exit == null && signal == null) {
            failure = new FleetException(Kind.CONNECTION_LOST, "the connection to " + m.name() + " dropped while the "
                    + "command was running" + (session.isOpen() ? "" : " (session closed)")
                    + "; it may or may not have completed. Output received so far is included; check the machine's "
                    + "state before re-running anything that is not idempotent.");
        }
        String secret = m.password();
        BoundedOutput text = out instanceof BoundedOutput b ? b : new BoundedOutput(1);
        return new CommandResult(m.name(), m.address(), exit, signal, scrub(text.text(), secret),
                scrub(err.text(), secret), text.totalBytes(), err.totalBytes(), text.truncated(), err.truncated(),
                timedOut, elapsed(start), failure);
    }

    /**
     * Stops a command that ran past its deadline. Without a PTY, closing the channel does not stop it; OpenSSH's
     * "signal" request kills the session's whole process group (sudo relays it to the root side).
     */
    private void stop(ChannelExec channel) {
        signal(channel, "TERM");
        if (channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TERM_GRACE).contains(ClientChannelEvent.TIMEOUT)) {
            signal(channel, "KILL");
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), KILL_GRACE);
        }
    }

    private void abort(ChannelExec channel) {
        if (channel != null) {
            signal(channel, "TERM");
            channel.close(true);
        }
    }

    static void signal(ChannelExec channel, String name) {
        try {
            Buffer buffer = channel.getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 32);
            buffer.putUInt(channel.getRecipient());
            buffer.putString("signal");
            buffer.putBoolean(false);
            buffer.putString(name);
            channel.writePacket(buffer);
        } catch (IOException | RuntimeException e) {
            log.debug("signal {} failed: {}", name, e.toString());
        }
    }

    /** Never show the machine's password, whatever the command printed. Very short ones would mangle output. */
    public static String scrub(String text, String secret) {
        if (secret == null || secret.length() < 4 || !text.contains(secret)) {
            return text;
        }
        return text.replace(secret, "********");
    }

    private static long elapsed(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void closeQuietly(OutputStream s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // channel went away: the result will say so
        }
    }

    @Override
    public void close() {
        helpers.shutdownNow();
    }
}
