package io.github.sshfleet.ssh;

import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.core.Daemons;
import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.channel.PtyCapableChannelSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.util.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one command on one machine over a pooled session: stdout and stderr kept apart and bounded, a deadline that
 * really stops the remote command, and a dead pooled session replaced once, transparently, before the command starts.
 * A command is never re-run after it started: if the connection drops mid-command the result says so.
 */
public final class CommandRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);

    private final ConnectionPool pool;
    private final FleetConfig config;
    private final ExecutorService helpers;
    private final ScheduledExecutorService timers;

    public CommandRunner(ConnectionPool pool, FleetConfig config) {
        this.pool = pool;
        this.config = config;
        this.helpers = Executors.newCachedThreadPool(Daemons.factory("ssh-fleet-io", true));
        java.util.concurrent.ScheduledThreadPoolExecutor t =
                new java.util.concurrent.ScheduledThreadPoolExecutor(1, Daemons.factory("ssh-fleet-timeouts", false));
        t.setRemoveOnCancelPolicy(true);
        this.timers = t;
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
    public CommandResult runTo(
            Machine m, String command, Duration timeout, boolean sudo, OutputStream stdout, int stderrCap) {
        return run(m, command, timeout, sudo, true, stdout, stderrCap);
    }

    private CommandResult run(
            Machine m, String command, Duration timeout, boolean sudo, boolean login, OutputStream out, int stderrCap) {
        long start = System.nanoTime();
        if (m.device() != null) {
            if (sudo) {
                return CommandResult.failed(
                        m.name(),
                        m.address(),
                        0,
                        notOnDevice(m, "sudo (privileged mode comes from enable= on its hosts line)"));
            }
            return DeviceCli.run(pool, m, command, timeout, stderrCap, config.connectTimeout());
        }
        try {
            RunningCommand rc = start(m, command, timeout, sudo, login, out, stderrCap, ExecOptions.NONE);
            // The hard timeout ends it; this wait only guards against a channel that never closes after KILL.
            if (!rc.await(timeout.plus(RunningCommand.TERM_GRACE)
                    .plus(RunningCommand.KILL_GRACE)
                    .plusSeconds(5))) {
                rc.abandon();
            }
            return rc.result();
        } catch (FleetException e) {
            return CommandResult.failed(m.name(), m.address(), elapsed(start), e);
        }
    }

    /** What a network device (device=network on its hosts line) cannot do, said the same way everywhere. */
    private static FleetException notOnDevice(Machine m, String what) {
        return FleetException.badArgument(m.name() + " is a network device: its CLI runs one command at a time, to "
                + "its prompt, and has no " + what + "; use exec.");
    }

    /**
     * Starts {@code command} and returns at once; it keeps running on its own channel (and pool lease) until it ends,
     * is interrupted, or {@code hardTimeout} passes (null: no limit). Throws for failures before it started
     * (unreachable, auth, host key, no channel).
     */
    public RunningCommand start(Machine m, String command, Duration hardTimeout, boolean sudo, int outputCap) {
        return start(m, command, hardTimeout, sudo, outputCap, ExecOptions.NONE);
    }

    /** {@link #start(Machine, String, Duration, boolean, int)} with a working directory, a PTY or a prelude. */
    public RunningCommand start(
            Machine m, String command, Duration hardTimeout, boolean sudo, int outputCap, ExecOptions options) {
        if (m.device() != null) {
            throw notOnDevice(m, "a background command");
        }
        checkOptions(options, sudo);
        return start(m, command, hardTimeout, sudo, true, new BoundedOutput(outputCap), outputCap, options);
    }

    /**
     * The largest command line sent as an exec request, wrapping included. Linux refuses a single argument over
     * 128 KiB (MAX_ARG_STRLEN: sshd hands the command to the login shell as one), and OpenSSH drops the whole
     * connection, with every other channel on it, for a packet over 256 KiB; so a long command is refused here,
     * before anything is sent.
     */
    static final int MAX_REQUEST_BYTES = 120 * 1024;

    /** Refuses what cannot run as asked: a PTY with sudo (its password prompt needs the separate stderr). */
    public static void checkOptions(ExecOptions options, boolean sudo) {
        if (options.tty() && sudo) {
            throw FleetException.badArgument("tty is not supported with sudo: sudo's password prompt needs the "
                    + "separate stderr a PTY takes away. Use shell_open (a root shell on a PTY) and shell_run.");
        }
    }

    /** Refuses a command too long to send as an exec request (see {@link #MAX_REQUEST_BYTES}), naming run_script. */
    public static void checkSize(String command) {
        long bytes = utf8Length(command);
        if (bytes > MAX_REQUEST_BYTES) {
            throw tooLarge(bytes);
        }
    }

    private static FleetException tooLarge(long bytes) {
        return new FleetException(
                FleetException.Kind.TOO_LARGE,
                "the command is " + bytes + " bytes; commands up "
                        + "to about " + MAX_REQUEST_BYTES / 1024
                        + " KiB can be sent (a remote shell takes at most 128 KiB "
                        + "as one argument, and OpenSSH drops the connection for a request over 256 KiB). Nothing was run. "
                        + "Send long scripts with run_script (host, script), which uploads the body as a file; put large data "
                        + "on the host with write_file or upload first.");
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isHighSurrogate(c) ? 1 : 3; // a surrogate pair: 1 + 3
        }
        return n;
    }

    private RunningCommand start(
            Machine m,
            String userCommand,
            Duration hardTimeout,
            boolean sudo,
            boolean login,
            OutputStream out,
            int stderrCap,
            ExecOptions options) {
        checkSize(userCommand);
        String command = options.wrap(userCommand);
        Deadline connectDeadline = pool.sessionDeadline();
        BoundedOutput err = new BoundedOutput(stderrCap);
        PtyCapableChannelSession[] channelRef = new PtyCapableChannelSession[1];
        Sudo sudoFilter = sudo ? new Sudo(m.password(), m.name(), err, helpers, () -> abort(channelRef[0])) : null;
        String remote = sudo ? sudoFilter.wrap(command, login) : login ? Shell.login(command) : command;
        if (utf8Length(remote) > MAX_REQUEST_BYTES) { // quoting made it too long: say so in the command's terms
            throw tooLarge(utf8Length(command));
        }

        OutputStream stderr = sudo ? sudoFilter : err;
        ConnectionPool.Opened<PtyCapableChannelSession> opened =
                pool.openChannel(m, connectDeadline, (session, deadline) -> {
                    SpareChannel spare = options.tty() ? null : SpareChannel.take(session);
                    PtyCapableChannelSession channel = spare != null ? spare : session.createExecChannel(remote);
                    try {
                        channelRef[0] = channel;
                        if (spare != null) {
                            spare.exec(remote, out, stderr); // already open: the request is the first packet
                            // The next exec's spare goes out with this request, not after its reply: asked for
                            // one round trip later, it was still opening when a back-to-back exec came, which then
                            // opened its own channel (2 RTT instead of 1 for every other call).
                            SpareChannel.refill(session, config.maxChannelsPerHost());
                            if (!spare.answeredWithin(deadline.waitMillis())) {
                                session.close(true); // as for a channel open with no answer: the session is dropped
                                throw new FleetException(
                                        FleetException.Kind.TIMEOUT,
                                        m.name() + " (" + m.address() + ") did not answer the command within "
                                                + config.connectTimeout().toSeconds() + " s: it may be frozen, "
                                                + "overloaded or cut off. It was sent on a channel opened earlier, so "
                                                + "whether it started there is unknown; the pooled session was "
                                                + "dropped and the next call connects afresh.");
                            }
                        } else {
                            channel.setUsePty(options.tty());
                            channel.setOut(out);
                            channel.setErr(stderr);
                            if (!channel.open().verify(deadline.waitMillis()).isOpened()) {
                                throw new IOException("channel did not open");
                            }
                            SpareChannel.refill(session, config.maxChannelsPerHost()); // for the next exec here
                        }
                        return channel;
                    } catch (IOException | RuntimeException e) {
                        channel.close(true);
                        throw e;
                    }
                });
        PtyCapableChannelSession channel = opened.channel();
        RunningCommand rc = new RunningCommand(
                m, userCommand, sudo, out, err, sudoFilter, channel, opened.lease(), config.keepaliveInterval());
        rc.watch();
        if (sudo) {
            sudoFilter.attach(channel.getInvertedIn());
        } else {
            closeQuietly(channel.getInvertedIn()); // stdin is empty: a command reading it sees EOF at once
        }
        if (hardTimeout != null) {
            java.util.concurrent.ScheduledFuture<?> timer =
                    timers.schedule(() -> helpers.execute(rc::timeout), hardTimeout.toMillis(), TimeUnit.MILLISECONDS);
            rc.onFinish(() -> timer.cancel(false)); // a finished command must not stay reachable until its timeout
        }
        return rc;
    }

    private void abort(PtyCapableChannelSession channel) {
        if (channel != null) {
            signal(channel, "TERM");
            channel.close(true);
        }
    }

    static void signal(PtyCapableChannelSession channel, String name) {
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
        timers.shutdownNow();
        helpers.shutdownNow();
    }
}
