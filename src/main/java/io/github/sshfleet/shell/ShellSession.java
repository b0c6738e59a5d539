package io.github.sshfleet.shell;

import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.core.Secrets;
import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.BoundedOutput;
import io.github.sshfleet.ssh.ConnectionPool;
import io.github.sshfleet.ssh.Lease;
import io.github.sshfleet.ssh.Shell;
import io.github.sshfleet.ssh.SudoPrompt;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.sshd.client.channel.PtyCapableChannelSession;
import org.apache.sshd.common.channel.PtyChannelConfiguration;
import org.apache.sshd.common.channel.PtyMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A persistent shell on one machine: a PTY exec channel on the pooled session running an interactive bash without
 * line editing (or sh), as root through sudo when asked. cwd, variables and functions persist between commands.
 *
 * <p>Each command is framed by unique markers: a line printing BEGIN, the command's own lines, a line printing END
 * with {@code $?} and {@code $PWD}. The markers are printed as two printf arguments, so the text we send never
 * contains them and echo could not fake one; a command ending in a comment or spanning lines is still just lines.
 * On timeout Ctrl-C interrupts the foreground job (the tty discards our pending END line), and a fresh sync marker
 * proves the shell is back before the next command; if it does not come back the shell is closed and says why.
 *
 * <p>Holds its pool lease (and so its session) open for its whole life: a session with an open shell is never idle.
 */
public final class ShellSession {

    private static final Logger log = LoggerFactory.getLogger(ShellSession.class);
    private static final Duration RECOVER_WAIT = Duration.ofSeconds(3);

    private final String id;
    private final Machine machine;
    private final boolean root;
    private final Instant opened = Instant.now();
    private final Lease lease;
    private final PtyCapableChannelSession channel;
    private final ShellStream stream;
    private final OutputStream stdin;
    private final Transcript transcript;
    private final ReentrantLock lock = new ReentrantLock(true);
    private volatile long lastUsedNanos = System.nanoTime();
    private volatile String cwd;
    private volatile String closedReason;

    private ShellSession(
            String id,
            Machine machine,
            boolean root,
            Lease lease,
            PtyCapableChannelSession channel,
            ShellStream stream,
            Transcript transcript) {
        this.id = id;
        this.machine = machine;
        this.root = root;
        this.lease = lease;
        this.channel = channel;
        this.stream = stream;
        this.stdin = channel.getInvertedIn();
        this.transcript = transcript;
    }

    /** Opens the channel, answers sudo's prompt once if it asks, and sets the shell up quiet; all within deadline. */
    static ShellSession open(
            String id,
            Machine m,
            boolean root,
            ConnectionPool pool,
            Deadline deadline,
            java.nio.file.Path transcriptDir) {
        String token = Tokens.next();
        SudoPrompt sudo = SudoPrompt.fresh();
        String prompt = sudo.text();
        String ready = "__SF_R_" + token;
        String start = "printf '%s%s\\n' __SF_R_ " + token + "; " + Shell.EXEC_INTERACTIVE_LOGIN;
        String command = root ? "exec " + sudo.sudo(false) + " -- sh -c " + Shell.quote(start) : start;
        ShellStream stream = new ShellStream();
        PtyChannelConfiguration pty = new PtyChannelConfiguration();
        pty.setPtyType("dumb");
        pty.setPtyColumns(200);
        pty.setPtyLines(50);
        pty.setPtyModes(Map.of(PtyMode.ECHO, 0, PtyMode.ONLCR, 0)); // no echo, no \r\n from the start
        ConnectionPool.Opened<PtyCapableChannelSession> opened = pool.openTerminal(m, deadline, command, pty, stream);
        PtyCapableChannelSession ch = opened.channel();
        ch.addCloseFutureListener(f -> stream.markClosed());
        ShellSession s = new ShellSession(
                id,
                m,
                root,
                opened.lease(),
                ch,
                stream,
                Transcript.create(
                        transcriptDir,
                        id,
                        "# " + id + ": " + (root ? "root" : m.username()) + " shell on " + m.name() + " (" + m.address()
                                + "), opened " + Instant.now()));
        try {
            s.start(prompt, ready, deadline);
            return s;
        } catch (RuntimeException e) {
            s.close("failed to start");
            throw e;
        }
    }

    private void start(String prompt, String ready, Deadline deadline) {
        int prompts = 0;
        try {
            while (true) {
                int got = stream.await(deadline, prompt, ready);
                if (got == 0) {
                    if (machine.password() == null) {
                        throw new FleetException(Kind.SUDO, SudoPrompt.noPassword(machine.name()));
                    }
                    if (++prompts > 1) {
                        throw new FleetException(Kind.SUDO, SudoPrompt.rejected(machine.name()));
                    }
                    send(machine.password() + "\n"); // sudo reads it from the tty with echo off
                } else if (got == 1) {
                    break;
                } else {
                    throw startFailure(got == -1 ? "timed out" : "the shell exited");
                }
            }
            String init = Tokens.next();
            send("stty -echo -onlcr cols 200 2>/dev/null; PS1=; PS2=; PS0=; PROMPT_COMMAND=; unset HISTFILE; "
                    + "set +o history 2>/dev/null; set +H 2>/dev/null; "
                    + "export TERM=dumb PAGER=cat GIT_PAGER=cat SYSTEMD_PAGER=cat SYSTEMD_COLORS=0; "
                    + (root ? "cd; " : "") + "printf '%s%s\\n' __SF_I_ " + init + "\n");
            int got = stream.await(deadline, "__SF_I_" + init);
            if (got != 0) {
                throw startFailure(got == -1 ? "timed out setting it up" : "the shell exited while setting up");
            }
            stream.clearIdle();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException(Kind.TIMEOUT, "interrupted while opening a shell on " + machine.name());
        }
    }

    private FleetException startFailure(String what) {
        String said = Secrets.mask(TerminalText.clean(stream.idleText()), machine.password())
                .strip();
        if (said.length() > 2000) {
            said = said.substring(said.length() - 2000);
        }
        return new FleetException(
                root ? Kind.SUDO : Kind.CONNECTION_LOST,
                "could not open a " + (root ? "root " : "")
                        + "shell on " + machine.name() + ": " + what + (said.isEmpty() ? "" : ". It said: " + said)
                        + (root ? ". Check that " + machine.username() + " may use sudo there (sudo -l)." : ""));
    }

    /** Runs one command; calls to one shell are serialized (a caller waits at most its own timeout). */
    // Long on purpose: one command through the persistent shell: write, await the marker, timeout and interrupt
    // handling, transcript; the marker parser itself is ShellStream.Capture.
    ShellResult run(String command, Duration timeout, int cap) {
        long start = System.nanoTime();
        Deadline deadline = Deadline.after(timeout);
        try {
            if (!lock.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new FleetException(
                        Kind.BUSY,
                        id + " is still running an earlier command; wait for it, or open "
                                + "another shell for parallel work.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException(Kind.TIMEOUT, "interrupted waiting for " + id);
        }
        try {
            checkOpen();
            lastUsedNanos = System.nanoTime();
            String token = Tokens.next();
            ShellStream.Capture c =
                    new ShellStream.Capture("__SF_B_" + token, "__SF_E_" + token, new BoundedOutput(cap));
            stream.begin(c);
            send("printf '%s%s\\n' __SF_B_ " + token + "\n" + command + "\n" + "printf '\\n%s%s %s %s\\n' __SF_E_ "
                    + token + " \"$?\" \"$PWD\"\n");
            boolean done = stream.awaitDone(c, deadline);
            stream.abandon();
            String output = text(c.output());
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (done) {
                cwd = c.cwd() != null ? c.cwd() : cwd;
                transcript.record(command, output, "exit " + c.exitCode() + ", cwd " + cwd + ", " + millis + " ms");
                return new ShellResult(
                        id,
                        machine.name(),
                        output,
                        c.output().totalBytes(),
                        c.output().truncated(),
                        c.exitCode(),
                        false,
                        cwd,
                        millis,
                        null);
            }
            if (stream.closed()) {
                String why = deathReason();
                transcript.record(command, output, "the shell closed: " + why);
                throw new FleetException(
                        Kind.CONNECTION_LOST,
                        id + " on " + machine.name() + " closed while running "
                                + "the command (" + why + "). Output so far: " + (output.isEmpty() ? "(none)" : output)
                                + "\nOpen a new shell with shell_open.");
            }
            String note = recover();
            transcript.record(command, output, "TIMED OUT after " + millis + " ms; " + note);
            return new ShellResult(
                    id,
                    machine.name(),
                    output,
                    c.output().totalBytes(),
                    c.output().truncated(),
                    null,
                    true,
                    cwd,
                    millis,
                    note);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException(Kind.TIMEOUT, "interrupted while running in " + id);
        } finally {
            lastUsedNanos = System.nanoTime();
            lock.unlock();
        }
    }

    /** Ctrl-C, then prove the shell answers again; twice at most, else close it. */
    private String recover() throws InterruptedException {
        for (int attempt = 1; attempt <= 2; attempt++) {
            String token = Tokens.next();
            stream.clearIdle();
            send("\u0003");
            Thread.sleep(50); // let the interrupt land before the sync line, or the tty may flush it with the rest
            send("printf '%s%s\\n' __SF_S_ " + token + "\n");
            if (stream.await(Deadline.after(RECOVER_WAIT), "__SF_S_" + token) == 0) {
                stream.clearIdle();
                return "interrupted with Ctrl-C; the shell is ready for the next command";
            }
            if (stream.closed()) {
                break;
            }
        }
        close("it did not recover after Ctrl-C");
        return "interrupted with Ctrl-C, but the shell did not come back, so it was closed; open a new one";
    }

    private String text(BoundedOutput out) {
        return Secrets.mask(TerminalText.clean(out.text()), machine.password());
    }

    private void send(String text) {
        try {
            stdin.write(text.getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new FleetException(
                    Kind.CONNECTION_LOST,
                    id + " on " + machine.name() + " is closed (" + deathReason()
                            + "). Open a new shell with shell_open.",
                    e);
        }
    }

    private void checkOpen() {
        if (closedReason != null || stream.closed() || !channel.isOpen()) {
            throw new FleetException(
                    Kind.CONNECTION_LOST,
                    id + " on " + machine.name() + " is closed (" + deathReason()
                            + "). Open a new shell with shell_open.");
        }
    }

    /** Why the shell is gone, as precisely as we know. */
    String deathReason() {
        if (closedReason != null) {
            return closedReason;
        }
        Integer exit = channel.getExitStatus();
        if (exit != null) {
            return "the shell exited with status " + exit;
        }
        if (channel.getExitSignal() != null) {
            return "the shell was killed by signal " + channel.getExitSignal();
        }
        return channel.getSession().isOpen() ? "the channel was closed" : "the connection to the machine dropped";
    }

    boolean alive() {
        return closedReason == null && !stream.closed() && channel.isOpen();
    }

    /** Closes the channel and gives the pool lease back. Idempotent. */
    void close(String reason) {
        synchronized (this) {
            if (closedReason != null) {
                return;
            }
            closedReason = reason;
        }
        log.debug("closing {}: {}", id, reason);
        transcript.note("closed: " + reason);
        channel.close(false);
        transcript.close();
        lease.close();
    }

    public String id() {
        return id;
    }

    public Machine machine() {
        return machine;
    }

    public boolean root() {
        return root;
    }

    public Instant opened() {
        return opened;
    }

    public String cwd() {
        return cwd;
    }

    public long idleMillis() {
        return lock.isLocked() ? 0 : (System.nanoTime() - lastUsedNanos) / 1_000_000;
    }

    long lastUsedNanos() {
        return lock.isLocked() ? System.nanoTime() : lastUsedNanos;
    }

    public java.nio.file.Path transcript() {
        return transcript.path();
    }
}
