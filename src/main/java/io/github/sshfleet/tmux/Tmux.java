package io.github.sshfleet.tmux;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.files.Staging;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.ssh.CommandRunner;
import io.github.sshfleet.ssh.Shell;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * tmux on a host, driven over pooled exec: every argument quoted, names and key tokens validated first, text for
 * a pane staged through SFTP into a tmux buffer (never through a command string). {@code sudo} chooses root's tmux
 * server (the reference's default) or the login user's; a target missing from one says to try the other.
 */
public final class Tmux {

    private static final Pattern SESSION = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Pattern TARGET = Pattern.compile("[A-Za-z0-9._:%@$-]{1,128}");
    private static final Pattern KEY = Pattern.compile("((C|M|S)-)+([!-~]|[A-Za-z][A-Za-z0-9]*)"
            + "|Enter|Escape|Esc|Tab|BTab|BSpace|Space|Up|Down|Left|Right|Home|End|PageUp|PageDown|PgUp|PgDn"
            + "|PPage|NPage|Insert|Delete|IC|DC|F([1-9]|1[0-2])|KP[A-Za-z0-9]+");
    private static final int NO_TMUX = 127;
    private static final String PRELUDE = "command -v tmux >/dev/null 2>&1 || { . /etc/os-release 2>/dev/null; "
            + "echo \"ssh-fleet-no-tmux ${ID:-unknown} ${ID_LIKE:-}\" >&2; exit " + NO_TMUX + "; }\n";

    /** One tmux session as tmux_list shows it. */
    public record Session(String name, int windows, long createdEpochSeconds, boolean attached) {}

    private final CommandRunner runner;
    private final Staging staging;

    public Tmux(CommandRunner runner, Staging staging) {
        this.runner = runner;
        this.staging = staging;
    }

    public static String checkSession(String name) {
        if (!SESSION.matcher(name).matches()) {
            throw FleetException.badArgument(
                    "tmux session names may use letters, digits and ._:- only (1-64), got '" + name + "'.");
        }
        return name;
    }

    public static String checkTarget(String target) {
        if (!TARGET.matcher(target).matches()) {
            throw FleetException.badArgument("tmux target must be a session name, session:window.pane (e.g. "
                    + "work:0.0) or a pane id like %3; got " + FleetException.quote(target) + ".");
        }
        return target;
    }

    /** Key tokens only; text belongs in tmux_paste. */
    public static List<String> checkKeys(String keys) {
        List<String> tokens = List.of(keys.strip().split("\\s+"));
        if (keys.isBlank()) {
            throw FleetException.badArgument("keys is empty; give key tokens such as \"C-c\" or \"Enter\".");
        }
        for (String t : tokens) {
            if (!KEY.matcher(t).matches()) {
                throw FleetException.badArgument(
                        FleetException.quote(t) + " is not a key token (like C-c, Enter, Up, Escape, F5, "
                                + "M-x). To type text, use tmux_paste(target, text, enter=true).");
            }
        }
        return tokens;
    }

    /** Creates a detached session; returns the name tmux gave it. */
    public String newSession(Machine m, boolean sudo, String name, String command, String cwd, Duration timeout) {
        checkSession(name);
        StringBuilder cmd = new StringBuilder(PRELUDE)
                .append("tmux has-session -t ")
                .append(Shell.quote("=" + name))
                .append(" 2>/dev/null && exit 75\n")
                .append("tmux new-session -d -P -F '#{session_name}' -s ")
                .append(Shell.quote(name));
        if (cwd != null && !cwd.isBlank()) {
            cmd.append(" -c ").append(Shell.quote(cwd));
        }
        if (command != null && !command.isBlank()) {
            cmd.append(' ').append(Shell.quote(command));
        }
        CommandResult r = run(m, sudo, cmd.toString(), timeout);
        if (r.exitCode() != null && r.exitCode() == 75) {
            throw new FleetException(
                    Kind.CONFLICT,
                    "tmux session '" + name + "' already exists on " + m.name() + where(sudo)
                            + "; pick another name, or use it (tmux_capture / tmux_paste) or tmux_kill it.");
        }
        ok(m, sudo, r, name);
        return r.stdout().strip();
    }

    public List<Session> list(Machine m, boolean sudo, Duration timeout) {
        CommandResult r = run(
                m,
                sudo,
                PRELUDE + "tmux list-sessions -F "
                        + Shell.quote("#{session_name}|#{session_windows}|#{session_created}|#{session_attached}")
                        + " 2>&1",
                timeout);
        String out = r.stdout();
        if (!r.ok()
                && (out.contains("no server running")
                        || out.contains("error connecting")
                        || out.contains("No such file or directory"))) {
            return List.of();
        }
        ok(m, sudo, r, null);
        List<Session> sessions = new ArrayList<>();
        // tmux prints control characters (a tab) as '_', so '|' separates; the name is whatever precedes the
        // three numeric fields.
        for (String line : out.lines().toList()) {
            String[] f = line.split("\\|");
            if (f.length >= 4) {
                String name = String.join("|", java.util.Arrays.copyOf(f, f.length - 3));
                sessions.add(new Session(
                        name, parseInt(f[f.length - 3]), parseLong(f[f.length - 2]), !f[f.length - 1].equals("0")));
            }
        }
        return sessions;
    }

    /** The last {@code lines} lines of the pane (joined where tmux wrapped them), trailing blank lines dropped. */
    public String capture(Machine m, boolean sudo, String target, int lines, int cap, Duration timeout) {
        return capture(m, sudo, target, lines, cap, timeout, false);
    }

    /** The same with {@code colours}: the pane's SGR escapes kept (capture-pane -e), for a screenshot of it. */
    public String capture(
            Machine m, boolean sudo, String target, int lines, int cap, Duration timeout, boolean colours) {
        checkTarget(target);
        CommandResult r = runCapped(
                m,
                sudo,
                PRELUDE + "tmux capture-pane -p -J" + (colours ? " -e" : "") + " -t "
                        + Shell.quote(target) + " -S -"
                        + lines,
                timeout,
                cap);
        ok(m, sudo, r, target);
        List<String> all = new ArrayList<>(r.stdout().lines().toList());
        while (!all.isEmpty() && all.get(all.size() - 1).isBlank()) {
            all.remove(all.size() - 1);
        }
        List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
        return String.join("\n", tail);
    }

    /** Pastes {@code text} via a staged file and a named buffer; presses Enter after it when asked. */
    public void paste(Machine m, boolean sudo, String target, String text, boolean enter, Duration timeout) {
        checkTarget(target);
        String file = staging.stage(m, "paste", text.getBytes(StandardCharsets.UTF_8));
        String buffer = "ssh-fleet-" + file.substring(file.lastIndexOf('-') + 1);
        String cmd = PRELUDE + "f=" + Shell.quote(file) + "\n"
                + "tmux load-buffer -b " + buffer + " \"$f\" && tmux paste-buffer -d -b " + buffer + " -t "
                + Shell.quote(target) + (enter ? " && tmux send-keys -t " + Shell.quote(target) + " Enter" : "")
                + "\nrc=$?; rm -f -- \"$f\"; tmux delete-buffer -b " + buffer + " 2>/dev/null; exit $rc";
        try {
            ok(m, sudo, run(m, sudo, cmd, timeout), target);
        } finally {
            staging.remove(m, file); // normally gone already; this covers a run that never started
        }
    }

    public void sendKeys(Machine m, boolean sudo, String target, String keys, Duration timeout) {
        checkTarget(target);
        StringBuilder cmd =
                new StringBuilder(PRELUDE).append("tmux send-keys -t ").append(Shell.quote(target));
        for (String k : checkKeys(keys)) {
            cmd.append(' ').append(Shell.quote(k));
        }
        ok(m, sudo, run(m, sudo, cmd.toString(), timeout), target);
    }

    public void kill(Machine m, boolean sudo, String target, Duration timeout) {
        checkTarget(target);
        ok(m, sudo, run(m, sudo, PRELUDE + "tmux kill-session -t " + Shell.quote(target), timeout), target);
    }

    /** What tmux_wait saw: the first matching line (null on timeout) and the pane tail at that moment. */
    public record Waited(boolean matched, String line, String pane, long millis, int polls) {}

    /**
     * Polls the pane every {@code interval} until {@code pattern} matches a line or {@code timeout} passes. Each poll
     * is one pooled exec; the whole wait is bounded by the deadline.
     */
    public Waited waitFor(
            Machine m,
            boolean sudo,
            String target,
            Pattern pattern,
            Duration timeout,
            Duration interval,
            int lines,
            int cap) {
        long start = System.nanoTime();
        io.github.sshfleet.core.Deadline deadline = io.github.sshfleet.core.Deadline.after(timeout);
        int polls = 0;
        String pane = "";
        while (true) {
            Duration pollTimeout = Duration.ofMillis(Math.max(1000, Math.min(10_000, deadline.remainingMillis())));
            pane = capture(m, sudo, target, lines, cap, pollTimeout);
            polls++;
            for (String line : pane.lines().toList()) {
                if (pattern.matcher(line).find()) {
                    return new Waited(true, line, pane, (System.nanoTime() - start) / 1_000_000, polls);
                }
            }
            if (deadline.remainingMillis() <= interval.toMillis()) {
                return new Waited(false, null, pane, (System.nanoTime() - start) / 1_000_000, polls);
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Waited(false, null, pane, (System.nanoTime() - start) / 1_000_000, polls);
            }
        }
    }

    private CommandResult run(Machine m, boolean sudo, String command, Duration timeout) {
        return runCapped(m, sudo, command, timeout, 64 * 1024);
    }

    private CommandResult runCapped(Machine m, boolean sudo, String command, Duration timeout, int cap) {
        CommandResult r = runner.runPlain(m, command, timeout, sudo, cap); // tmux needs no login profile
        if (r.failure() != null) {
            throw r.failure();
        }
        if (r.timedOut()) {
            throw new FleetException(
                    Kind.TIMEOUT, "tmux on " + m.name() + " did not answer within " + timeout.toSeconds() + " s.");
        }
        if (r.exitCode() != null && r.exitCode() == NO_TMUX && r.stderr().contains("ssh-fleet-no-tmux")) {
            throw new FleetException(
                    Kind.NOT_FOUND,
                    "tmux is not installed on " + m.name() + "; install it with: " + installCommand(r.stderr())
                            + " (for example via sudo_exec).");
        }
        return r;
    }

    private static void ok(Machine m, boolean sudo, CommandResult r, String target) {
        if (r.ok()) {
            return;
        }
        String said = (r.stderr() + r.stdout()).strip();
        if (target != null
                && (said.contains("can't find")
                        || said.contains("no server running")
                        || said.contains("error connecting"))) {
            throw new FleetException(
                    Kind.NOT_FOUND,
                    "tmux target " + FleetException.quote(target) + " not found on " + m.name()
                            + where(sudo) + ". It may live in "
                            + (sudo
                                    ? "the login user's tmux server: try sudo: false"
                                    : "root's tmux server: try sudo: true")
                            + ", or list sessions with tmux_list.");
        }
        throw new FleetException(Kind.IO, "tmux on " + m.name() + " failed (exit " + r.exitCode() + "): " + said);
    }

    private static String where(boolean sudo) {
        return sudo ? " (root's tmux server)" : " (the login user's tmux server)";
    }

    static String installCommand(String said) {
        String os =
                said.substring(said.indexOf("ssh-fleet-no-tmux") + 17).strip().toLowerCase(Locale.ROOT);
        if (os.matches(".*\\b(debian|ubuntu)\\b.*")) {
            return "apt-get install -y tmux";
        }
        if (os.matches(".*\\b(rhel|fedora|centos|rocky|almalinux|amzn)\\b.*")) {
            return "dnf install -y tmux";
        }
        if (os.contains("alpine")) {
            return "apk add tmux";
        }
        if (os.matches(".*\\b(suse|opensuse.*|sles)\\b.*")) {
            return "zypper install -y tmux";
        }
        if (os.contains("arch")) {
            return "pacman -S --noconfirm tmux";
        }
        return "your package manager (package name: tmux)";
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
