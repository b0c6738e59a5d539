package io.github.sshfleet.ssh;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.core.Secrets;
import io.github.sshfleet.fleet.Machine;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.channel.PtyCapableChannelSession;

/**
 * A command started on a machine's pooled session, running on its own channel whether or not anyone waits for it.
 * When the channel closes (the command ended, was stopped, or the connection dropped) the result is fixed once and
 * the pool lease is returned. Output is kept bounded (head and tail) and can be read while it runs.
 */
public final class RunningCommand {

    /** After TERM, how long a command gets to exit before KILL; after KILL, before we stop waiting. */
    static final Duration TERM_GRACE = Duration.ofMillis(1500);

    static final Duration KILL_GRACE = Duration.ofMillis(1000);
    /** interrupt_command: after SIGINT, how long before TERM (and after TERM, before KILL). */
    static final Duration INTERRUPT_GRACE = Duration.ofSeconds(2);

    private final Machine machine;
    private final String command;
    private final boolean sudo;
    private final Instant started = Instant.now();
    private final long startNanos = System.nanoTime();
    private final OutputStream out;
    private final BoundedOutput err;
    private final Sudo sudoFilter;
    private final PtyCapableChannelSession channel;
    private final Lease lease;
    private final Duration keepalive;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean timedOut;
    private volatile String interruptedBy;
    private volatile CommandResult result;
    private final java.util.List<Runnable> onFinish = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.List<String> secrets = new java.util.concurrent.CopyOnWriteArrayList<>();

    RunningCommand(
            Machine machine,
            String command,
            boolean sudo,
            OutputStream out,
            BoundedOutput err,
            Sudo sudoFilter,
            PtyCapableChannelSession channel,
            Lease lease,
            Duration keepalive) {
        this.keepalive = keepalive;
        this.machine = machine;
        this.command = command;
        this.sudo = sudo;
        this.out = out;
        this.err = err;
        this.sudoFilter = sudoFilter;
        this.channel = channel;
        this.lease = lease;
    }

    /** Called once the channel is set up: from now on its closing finishes this command. */
    void watch() {
        channel.addCloseFutureListener(f -> finish());
    }

    /** Values never to show in output (besides the machine password): run_script's env values. */
    public void addSecret(String value) {
        if (value != null && value.length() >= 4) {
            secrets.add(value);
        }
    }

    /** Output text as the agent may see it: every known machine secret and this command's own secrets masked. */
    public String scrub(String text) {
        return Secrets.mask(text, secrets);
    }

    /** Runs {@code action} once the command has ended (at once if it already has). */
    public void onFinish(Runnable action) {
        onFinish.add(action);
        if (finished() && onFinish.remove(action)) {
            action.run();
        }
    }

    /** Waits up to {@code d} for the command to end; true if it has. */
    public boolean await(Duration d) {
        try {
            return done.await(Math.max(0, d.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return done.getCount() == 0;
        }
    }

    public boolean finished() {
        return done.getCount() == 0;
    }

    /** The final result, or null while it runs. */
    public CommandResult result() {
        return result;
    }

    /** The result so far: the final one when finished, else the output up to now with no exit code. */
    public CommandResult snapshot() {
        CommandResult r = result;
        return r != null ? r : build(null, null, null);
    }

    public Machine machine() {
        return machine;
    }

    public String command() {
        return command;
    }

    public boolean sudo() {
        return sudo;
    }

    public Instant started() {
        return started;
    }

    public long elapsedMillis() {
        CommandResult r = result;
        return r != null ? r.durationMillis() : (System.nanoTime() - startNanos) / 1_000_000;
    }

    public String interruptedBy() {
        return interruptedBy;
    }

    public BoundedOutput stdout() {
        return out instanceof BoundedOutput b ? b : new BoundedOutput(1);
    }

    public BoundedOutput stderr() {
        return err;
    }

    /** The hard timeout passed: TERM, then KILL; blocks up to the two grace periods. */
    void timeout() {
        if (finished()) {
            return;
        }
        timedOut = true;
        stop();
    }

    /**
     * Ctrl-C semantics for a command without a terminal: SIGINT, then TERM, then KILL, each after a grace period if
     * it is still running. Returns what actually stopped it.
     */
    public String interrupt(String by) {
        if (finished()) {
            return "it had already ended";
        }
        interruptedBy = by;
        for (String sig : new String[] {"INT", "TERM", "KILL"}) {
            CommandRunner.signal(channel, sig);
            if (await(sig.equals("KILL") ? KILL_GRACE : INTERRUPT_GRACE)) {
                return "it ended within " + (sig.equals("KILL") ? KILL_GRACE : INTERRUPT_GRACE).toMillis() / 1000.0
                        + " s of SIG" + sig;
            }
        }
        closeChannel();
        return "did not stop after SIGKILL; its channel was closed (it may still run on the host: check with exec)";
    }

    /**
     * Stops a command that ran past its deadline. Without a PTY, closing the channel does not stop it; OpenSSH's
     * "signal" request kills the session's whole process group (with sudo, ssh-fleet's root-side wrapper does).
     */
    private void stop() {
        CommandRunner.signal(channel, "TERM");
        if (channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TERM_GRACE).contains(ClientChannelEvent.TIMEOUT)) {
            CommandRunner.signal(channel, "KILL");
            if (channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), KILL_GRACE)
                    .contains(ClientChannelEvent.TIMEOUT)) {
                closeChannel();
            }
        }
    }

    /** Sends a signal without waiting (shutdown: every background command gets TERM at once). */
    public void signal(String name) {
        if (!finished()) {
            CommandRunner.signal(channel, name);
        }
    }

    /** Last resort for a waiter whose own deadline passed: close the channel so the result gets fixed. */
    void abandon() {
        closeChannel();
        finish();
    }

    /**
     * Closes the channel so that the host hears of it: MINA's immediate close sends nothing, and the host would keep
     * the channel (a MaxSessions slot; on a network device, one of its few vty lines) and whatever still runs on it
     * for the life of the connection. A channel the host already closed is only released here.
     */
    private void closeChannel() {
        if (!channel.isClosed() && !channel.isClosing()) {
            channel.close(false);
        }
    }

    private void finish() {
        synchronized (this) {
            if (result != null) {
                return;
            }
            Integer exit = channel.getExitStatus();
            String signal = channel.getExitSignal();
            result = build(exit, signal, failure(exit, signal));
        }
        closeChannel();
        lease.close();
        done.countDown();
        for (Runnable r : onFinish) {
            if (onFinish.remove(r)) {
                r.run();
            }
        }
    }

    private FleetException failure(Integer exit, String signal) {
        if (sudoFilter != null && sudoFilter.failure() != null) {
            return new FleetException(Kind.SUDO, sudoFilter.failure());
        }
        if (sudoFilter != null && !sudoFilter.ready() && !timedOut && interruptedBy == null) {
            String said = sudoFilter.preambleText();
            return new FleetException(
                    Kind.SUDO,
                    "sudo failed on " + machine.name()
                            + (exit != null ? " (exit " + exit + ")" : "")
                            + (said.isEmpty() ? "" : ": " + said.replaceAll("[.\\s]+$", ""))
                            + ". Check that " + machine.username()
                            + " may use sudo there (sudo -l) and that sudo is installed.");
        }
        if (!timedOut && interruptedBy == null && exit == null && signal == null) {
            String why = channel.getSession().isOpen() ? null : SshClients.closeReason(channel.getSession(), keepalive);
            return new FleetException(
                    Kind.CONNECTION_LOST,
                    "the connection to " + machine.name() + " dropped while "
                            + "the command was running"
                            + (channel.getSession().isOpen() ? "" : " (" + (why != null ? why : "session closed") + ")")
                            + "; it may or may not have completed. Output received so far is included; check the machine's "
                            + "state before re-running anything that is not idempotent.");
        }
        return null;
    }

    private CommandResult build(Integer exit, String signal, FleetException failure) {
        BoundedOutput text = stdout();
        return new CommandResult(
                machine.name(),
                machine.address(),
                exit,
                signal,
                scrub(text.text()),
                scrub(err.text()),
                text.totalBytes(),
                err.totalBytes(),
                text.truncated(),
                err.truncated(),
                timedOut,
                elapsedMillis0(),
                failure,
                null);
    }

    private long elapsedMillis0() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
