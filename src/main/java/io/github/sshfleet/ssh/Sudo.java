package io.github.sshfleet.ssh;

import io.github.sshfleet.core.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;

/**
 * Runs a command as root through {@code sudo -S} without a PTY, so stdout and stderr stay apart. sudo prints a
 * unique prompt on stderr when (and only when) it wants the password; this filter watches for it and only then
 * writes the password to the channel's stdin. On a NOPASSWD host sudo never prompts, so the password never reaches
 * the command. The root side prints a unique "ready" line before it starts the command; everything sudo said before
 * it (prompt, lecture) is dropped, and stdin is closed at that point so a command reading stdin sees EOF, not our
 * secret. A second prompt means the password was wrong: fail fast instead of hanging.
 */
final class Sudo extends OutputStream {

    /** How sudo failed, in words for the agent; null while all is well. */
    private volatile String failure;

    private volatile boolean ready;

    private final SudoPrompt sudoPrompt;
    private final String prompt;
    private final String readyLine;
    private final String password;
    private final String machineName;
    private final OutputStream downstream;
    private final Executor executor;
    private final Runnable abort;
    private final ByteArrayOutputStream preamble = new ByteArrayOutputStream();
    private OutputStream stdin;
    private int prompts;
    private int scanFrom;
    private boolean passwordPending;

    private static final int MAX_PREAMBLE = 16 * 1024;

    Sudo(String password, String machineName, OutputStream downstream, Executor executor, Runnable abort) {
        this.sudoPrompt = SudoPrompt.fresh();
        this.prompt = sudoPrompt.text();
        this.readyLine = "[ssh-fleet-ready-" + Tokens.next() + "]";
        this.password = password;
        this.machineName = machineName;
        this.downstream = downstream;
        this.executor = executor;
        this.abort = abort;
    }

    /** {@code login}: a root login shell (PATH and profile as root would have); else plain {@code sh -c}. */
    String wrap(String command, boolean login) {
        // sudo relays a signal to its own child only, so a timeout's TERM would stop this shell and orphan the
        // command's children. Instead the command runs as a child of this shell, which on a signal stops the whole
        // process group: TERM, then KILL a second later for whatever ignored it. KILL itself cannot be relayed by
        // sudo at all, which is why the escalation lives here, on the root side.
        String inner = "printf '%s\\n' " + Shell.quote(readyLine) + " >&2\n"
                + (login ? Shell.PICK_LOGIN_SHELL + "\n" : "s=sh\n")
                + "$s -c \"$1\" </dev/null &\n"
                + "trap 'trap \"\" HUP INT TERM; kill -TERM 0 2>/dev/null; sleep 1; kill -KILL 0 2>/dev/null' HUP INT TERM\n"
                + "wait \"$!\"";
        return "exec " + sudoPrompt.sudo(true) + " -- sh -c " + Shell.quote(inner) + " sh " + Shell.quote(command);
    }

    /** The channel's stdin, once it is open. */
    synchronized void attach(OutputStream channelStdin) {
        this.stdin = channelStdin;
        if (passwordPending) { // the prompt beat us here
            passwordPending = false;
            sendPassword();
        }
        if (ready) {
            closeStdin();
        }
    }

    boolean ready() {
        return ready;
    }

    String failure() {
        return failure;
    }

    /** What sudo printed before failing (e.g. "user is not in the sudoers file"), prompts removed. */
    synchronized String preambleText() {
        return preamble.toString(StandardCharsets.UTF_8).replace(prompt, "").strip();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (ready) {
            downstream.write(b, off, len);
            return;
        }
        if (preamble.size() < MAX_PREAMBLE) {
            preamble.write(b, off, Math.min(len, MAX_PREAMBLE - preamble.size()));
        }
        // Markers are ASCII: ISO-8859-1 maps bytes to chars one to one, so indexes are byte offsets.
        String seen = preamble.toString(StandardCharsets.ISO_8859_1);
        int p;
        while ((p = seen.indexOf(prompt, scanFrom)) >= 0
                && (seen.indexOf(readyLine, scanFrom) < 0 || p < seen.indexOf(readyLine, scanFrom))) {
            scanFrom = p + prompt.length();
            onPrompt();
        }
        int r = seen.indexOf(readyLine + "\n", scanFrom);
        if (r >= 0) {
            ready = true;
            int after = r + readyLine.length() + 1;
            byte[] all = preamble.toByteArray();
            if (after < all.length) {
                downstream.write(all, after, all.length - after);
            }
            preamble.reset();
            closeStdin();
        }
    }

    private void onPrompt() {
        prompts++;
        if (password == null) {
            failure = SudoPrompt.noPassword(machineName);
            executor.execute(abort);
        } else if (prompts > 1) {
            failure = SudoPrompt.rejected(machineName);
            executor.execute(abort);
        } else if (stdin == null) {
            passwordPending = true;
        } else {
            sendPassword();
        }
    }

    private void sendPassword() {
        OutputStream in = stdin;
        // Written off the I/O thread: a blocking write there could wait on the very thread that must drain it.
        executor.execute(() -> {
            try {
                in.write((password + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException | RuntimeException e) {
                failure = "could not send the sudo password to " + machineName + ": " + e.getMessage();
                abort.run();
            }
        });
    }

    private void closeStdin() {
        OutputStream in = stdin;
        if (in == null) {
            return; // attach() closes it
        }
        executor.execute(() -> {
            try {
                in.close();
            } catch (IOException | RuntimeException ignored) {
                // channel already gone: the command ends anyway
            }
        });
    }
}
