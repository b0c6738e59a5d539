package io.github.sshfleet.ssh;

import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.core.Secrets;
import io.github.sshfleet.fleet.Machine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.client.channel.PtyCapableChannelSession;
import org.apache.sshd.common.channel.PtyChannelConfiguration;

/**
 * Commands on network devices (device=network): routers and switches have no POSIX shell and often no exec channel,
 * only an interactive CLI. This opens a shell channel, waits for the device prompt ({@code name>} or {@code name#}),
 * enters enable mode when an enable password is configured, turns paging off where the CLI knows how (and answers
 * "--More--" otherwise), sends the command and reads until the prompt comes back. The echoed command and the final
 * prompt are removed; CLI error markers ("% Invalid input", "% Unknown command", "% Error") make the exit code 1.
 */
final class DeviceCli {

    /** A CLI prompt at the end of the output: a hostname-like word, optional (config-mode) suffix, then > or #. */
    private static final Pattern PROMPT =
            Pattern.compile("(?:^|\\n)([\\w.@/:-]{1,64}(?:\\([\\w.-]{1,32}\\))?[>#])\\s?$");

    private static final Pattern PASSWORD = Pattern.compile("(?i)password:\\s*$");
    private static final Pattern MORE = Pattern.compile("(?i)-+\\s*more\\s*-+\\s*$");
    private static final Pattern CLI_ERROR = Pattern.compile(
            "(?m)^\\s*%\\s*(Invalid input|Unknown command|Error|" + "Incomplete command|Ambiguous command)");

    private DeviceCli() {}

    // Long on purpose: one dialogue with a device CLI (prompt, enable, paging off, command, prompt) in the order it
    // happens.
    static CommandResult run(
            ConnectionPool pool, Machine m, String command, Duration timeout, int cap, Duration connectTimeout) {
        long start = System.nanoTime();
        Deadline deadline = Deadline.after(timeout);
        Screen screen = new Screen();
        PtyChannelConfiguration pty = new PtyChannelConfiguration();
        pty.setPtyType("vt100");
        pty.setPtyColumns(511); // wide: long lines do not wrap into the output
        ConnectionPool.Opened<PtyCapableChannelSession> opened;
        try {
            opened = pool.openTerminal(m, pool.sessionDeadline(), null, pty, screen);
        } catch (FleetException e) {
            return CommandResult.failed(m.name(), m.address(), elapsed(start), e);
        }
        PtyCapableChannelSession ch = opened.channel();
        OutputStream in = ch.getInvertedIn();
        try {
            String prompt = screen.awaitPrompt(deadline, in, m);
            // From now on only this device's own prompt ends an answer, not any output line that looks like one.
            screen.learn(prompt);
            // Before every line sent, the screen is cleared: the prompt still showing from the previous step must
            // not be taken for the answer to this one.
            if (m.device().enablePassword() != null && prompt.endsWith(">")) {
                screen.reset();
                send(in, "enable\n");
                if (screen.await(deadline, PASSWORD, in) == null) {
                    throw new FleetException(Kind.SUDO, m.name() + " did not ask for the enable password.");
                }
                screen.reset();
                send(in, m.device().enablePassword() + "\n");
                prompt = screen.awaitPrompt(deadline, in, m);
                if (!prompt.endsWith("#")) {
                    throw new FleetException(
                            Kind.SUDO,
                            m.name() + " refused enable mode (wrong enable= password in "
                                    + "the hosts file?); the prompt is still " + prompt + ".");
                }
            }
            screen.reset();
            send(in, "terminal length 0\n"); // Cisco-style; other CLIs answer with an error we ignore
            screen.awaitPrompt(deadline, in, m);
            screen.reset();
            send(in, command.strip() + "\n");
            String end = screen.awaitPrompt(deadline, in, m);
            String raw = screen.text();
            String out = clean(raw, command.strip(), end);
            BoundedOutput bounded = new BoundedOutput(cap);
            byte[] b = out.getBytes(StandardCharsets.UTF_8);
            bounded.write(b, 0, b.length);
            int exit = CLI_ERROR.matcher(out).find() ? 1 : 0;
            return new CommandResult(
                    m.name(),
                    m.address(),
                    exit,
                    null,
                    Secrets.mask(bounded.text(), m.password()),
                    "",
                    bounded.totalBytes(),
                    0,
                    bounded.truncated(),
                    false,
                    false,
                    elapsed(start),
                    null,
                    null);
        } catch (FleetException e) {
            if (e.kind() == Kind.TIMEOUT) {
                String partial = Secrets.mask(screen.text(), m.password());
                return new CommandResult(
                        m.name(),
                        m.address(),
                        null,
                        null,
                        partial,
                        "",
                        partial.length(),
                        0,
                        false,
                        false,
                        true,
                        elapsed(start),
                        null,
                        null);
            }
            return CommandResult.failed(m.name(), m.address(), elapsed(start), e);
        } finally {
            ch.close(false);
            opened.lease().close();
        }
    }

    /** Drops the echoed command line, the final prompt and carriage returns. */
    static String clean(String raw, String command, String prompt) {
        String s = raw.replace("\r", "");
        int echo = s.indexOf(command);
        if (echo >= 0 && echo < 512) {
            int nl = s.indexOf('\n', echo);
            s = nl < 0 ? "" : s.substring(nl + 1);
        }
        if (s.endsWith(prompt)) {
            s = s.substring(0, s.length() - prompt.length());
        } else if (s.stripTrailing().endsWith(prompt)) {
            s = s.stripTrailing();
            s = s.substring(0, s.length() - prompt.length());
        }
        return s;
    }

    private static void send(OutputStream in, String text) {
        try {
            in.write(text.getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new FleetException(Kind.CONNECTION_LOST, "the device closed the session: " + e.getMessage(), e);
        }
    }

    private static long elapsed(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** What the device printed, searchable from the end; "--More--" pages are answered as they come. */
    private static final class Screen extends OutputStream {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private Pattern prompt = PROMPT;

        synchronized void learn(String seen) {
            String base = seen.replaceAll("(\\([\\w.-]*\\))?[>#]$", "");
            prompt = Pattern.compile("(?:^|\\n)(" + Pattern.quote(base) + "(?:\\([\\w.-]{1,32}\\))?[>#])\\s?$");
        }

        @Override
        public synchronized void write(int b) {
            buf.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (buf.size() < 8 * 1024 * 1024) {
                buf.write(b, off, len);
            }
            notifyAll();
        }

        synchronized String text() {
            return buf.toString(StandardCharsets.UTF_8);
        }

        synchronized void reset() {
            buf.reset();
        }

        String awaitPrompt(Deadline deadline, OutputStream in, Machine m) {
            Pattern current;
            synchronized (this) {
                current = prompt;
            }
            String p = await(deadline, current, in);
            if (p == null) {
                throw new FleetException(
                        Kind.TIMEOUT,
                        "no device prompt from " + m.name() + " in time (expected a " + "line ending in '>' or '#').");
            }
            return p;
        }

        /** Waits for {@code pattern} at the end of the output; the match (group 1 if any), or null on deadline. */
        synchronized String await(Deadline deadline, Pattern pattern, OutputStream in) {
            while (true) {
                String t = buf.toString(StandardCharsets.UTF_8).replace("\r", "");
                if (MORE.matcher(t).find()) {
                    buf.reset();
                    buf.writeBytes(MORE.matcher(t).replaceFirst("").getBytes(StandardCharsets.UTF_8));
                    send(in, " ");
                    continue;
                }
                Matcher mt = pattern.matcher(t);
                if (mt.find()) {
                    return mt.groupCount() >= 1 && mt.group(1) != null ? mt.group(1) : mt.group();
                }
                long left = deadline.remainingMillis();
                if (left <= 0) {
                    return null;
                }
                try {
                    wait(Math.min(left, 200));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }
}
