package io.github.sshfleet.files;

import io.github.sshfleet.core.Daemons;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.ssh.CommandRunner;
import io.github.sshfleet.ssh.ConnectionPool;
import io.github.sshfleet.ssh.Shell;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * run_script: the body goes to the host over SFTP, byte for byte, so quotes, $, backticks and heredocs need no
 * escaping; the host then runs a short command, {@code bash /tmp/ssh-fleet-runner-<random>}. Three private files:
 * the runner (0700, a small launcher), the body ({@code .sh}, 0600) and, when env is given, the env file
 * ({@code .env}, 0600) that the launcher sources and deletes before the body starts, so secrets never appear in any
 * argv or command string. The launcher removes all three when the script exits (trap), unless keep_script.
 */
public final class ScriptRunner {

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern SESSION = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** Exit code the tmux launch uses when a session of that name already exists. */
    private static final int SESSION_EXISTS = 75;

    /** A script started in tmux: where it runs and how to watch it. */
    public record Launched(String session, String runner, String logPath, boolean asRoot) {}

    private final ConnectionPool pool;
    private final CommandRunner runner;
    private final Litter litter;
    private final Duration connectTimeout;

    public ScriptRunner(ConnectionPool pool, CommandRunner runner, Litter litter, Duration connectTimeout) {
        this.pool = pool;
        this.runner = runner;
        this.litter = litter;
        this.connectTimeout = connectTimeout;
    }

    /** Variables bash refuses to assign: sourcing them would fail before the script starts. */
    private static final java.util.Set<String> READ_ONLY_IN_BASH =
            java.util.Set.of("SHELLOPTS", "BASHOPTS", "BASH_VERSINFO", "EUID", "UID", "PPID");

    /** Validates what run_script was given before anything reaches the host. */
    public static void check(Map<String, String> env, String tmuxSession) {
        env.forEach((k, v) -> {
            if (!ENV_NAME.matcher(k).matches()) {
                throw FleetException.badArgument(
                        "env name " + FleetException.quote(k) + " is not a valid shell variable name "
                                + "(letters, digits, underscore; not starting with a digit).");
            }
            if (READ_ONLY_IN_BASH.contains(k)) {
                throw FleetException.badArgument("env name " + k + " cannot be set: it is read-only in bash. Set "
                        + "it inside the script if the script needs it.");
            }
            if (v.indexOf('\0') >= 0) {
                throw FleetException.badArgument("env value of " + k + " contains a NUL byte.");
            }
        });
        if (tmuxSession != null && !SESSION.matcher(tmuxSession).matches()) {
            throw FleetException.badArgument(
                    "tmux_session must be 1-64 letters, digits, '-' or '_', got '" + tmuxSession + "'.");
        }
    }

    /**
     * Starts the script and returns at once; the caller waits (like exec: exit code, bounded output, killed at
     * {@code hardTimeout}) or hands it to the background.
     * Env values are registered as secrets, so no output view shows them; the runner files are checked for once it
     * ends badly (a KILLed launcher never ran its trap).
     */
    public io.github.sshfleet.ssh.RunningCommand start(
            Machine m,
            String script,
            Map<String, String> env,
            boolean sudo,
            Duration hardTimeout,
            String logPath,
            boolean keep,
            int outputCap) {
        Staged s = stage(m, script, env, logPath, keep);
        io.github.sshfleet.ssh.RunningCommand rc;
        try {
            rc = runner.start(m, "bash " + Shell.quote(s.runner), hardTimeout, sudo, outputCap);
        } catch (FleetException e) {
            cleanUp(m, s);
            throw e;
        }
        env.values().forEach(rc::addSecret);
        rc.onFinish(() -> {
            CommandResult r = rc.result();
            if (!keep && (r.timedOut() || r.failure() != null || rc.interruptedBy() != null)) {
                Daemons.start("ssh-fleet-runner-cleanup", () -> cleanUp(m, s));
            } else {
                s.tickets().forEach(Litter.Ticket::close); // the launcher's trap removed them (or keep_script)
            }
        });
        return rc;
    }

    /** Starts the script detached in a new tmux session (root's tmux server with sudo) and returns at once. */
    public Launched launch(
            Machine m,
            String script,
            Map<String, String> env,
            boolean sudo,
            String session,
            String logPath,
            boolean keep,
            Duration timeout) {
        Staged s = stage(m, script, env, logPath, keep);
        String command = "command -v tmux >/dev/null 2>&1 || { echo 'tmux is not installed' >&2; exit 127; }\n"
                + "tmux has-session -t " + Shell.quote("=" + session) + " 2>/dev/null && exit " + SESSION_EXISTS + "\n"
                + "exec tmux new-session -d -s " + Shell.quote(session) + " "
                + Shell.quote("bash " + Shell.quote(s.runner));
        CommandResult r = runner.run(m, command, timeout, sudo, 8192);
        if (!r.ok()) {
            cleanUp(m, s);
            if (r.failure() != null) {
                throw r.failure();
            }
            Integer exit = r.exitCode();
            if (exit != null && exit == SESSION_EXISTS) {
                throw new FleetException(
                        Kind.CONFLICT,
                        "a tmux session named '" + session + "' already exists on "
                                + m.name() + (sudo ? " (root's tmux)" : "")
                                + "; choose another tmux_session, or inspect it "
                                + "with tmux_capture.");
            }
            if (exit != null && exit == 127) {
                throw new FleetException(
                        Kind.NOT_FOUND,
                        "tmux is not installed on " + m.name() + "; install it, or "
                                + "run the script without tmux_session.");
            }
            throw new FleetException(
                    Kind.IO,
                    "starting tmux on " + m.name() + " failed (exit " + exit + "): "
                            + r.stderr().strip());
        }
        s.tickets().forEach(Litter.Ticket::close); // from here the runner's own trap removes its files
        return new Launched(session, s.runner, s.log, sudo);
    }

    private record Staged(String runner, String log, List<Litter.Ticket> tickets) {
        List<String> files() {
            return List.of(runner, runner + ".sh", runner + ".env");
        }
    }

    private Staged stage(Machine m, String script, Map<String, String> env, String logPath, boolean keep) {
        try (RemoteFs fs = RemoteFs.open(pool, m, pool.sessionDeadline(), connectTimeout.plusSeconds(20))) {
            String log = logPath == null || logPath.isBlank() ? "" : fs.resolve(logPath);
            String base = "/tmp/ssh-fleet-runner-" + Tokens.next();
            List<Litter.Ticket> tickets = new java.util.ArrayList<>();
            for (String f : List.of(base, base + ".sh", base + ".env")) {
                tickets.add(litter.remote(m, f)); // the .env holds secrets: never left behind unrecorded
            }
            Staged staged = new Staged(base, log.isEmpty() ? null : log, tickets);
            boolean done = false;
            try {
                fs.writeNew(base + ".sh", 0600, utf8(script.endsWith("\n") ? script : script + "\n"));
                if (!env.isEmpty()) {
                    StringBuilder e = new StringBuilder();
                    env.forEach((k, v) ->
                            e.append(k).append('=').append(Shell.quote(v)).append('\n'));
                    fs.writeNew(base + ".env", 0600, utf8(e.toString()));
                }
                fs.writeNew(base, 0700, utf8(launcher(base, log, keep)));
                done = true;
                return staged;
            } finally {
                if (!done) {
                    removeAll(fs, staged);
                }
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The runner: source and delete the env file, run the body (teeing to the log with a final EXIT line when
     * asked), and remove itself on the way out, also when stopped by a signal.
     */
    static String launcher(String base, String log, boolean keep) {
        return "# ssh-fleet runner: runs " + base + ".sh" + (keep ? "" : ", then removes itself") + "\n"
                + "r=" + Shell.quote(base) + "\n"
                + "log=" + Shell.quote(log) + "\n"
                + (keep
                        ? ""
                        : "trap 'rm -f -- \"$r\" \"$r.sh\" \"$r.env\"' EXIT\n"
                                + "trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM\n")
                // The env file is opened on fd 3 and deleted at once; only the script's own subshell reads it,
                // so PATH, IFS, BASH_ENV... given in env change the script's environment, never the launcher's.
                + "b=$(command -v bash)\n"
                + "if [ -f \"$r.env\" ]; then exec 3< \"$r.env\"; rm -f -- \"$r.env\"; else exec 3< /dev/null; fi\n"
                + "body() { ( set -a; . /dev/fd/3; set +a; exec 3<&-; exec \"$b\" \"$r.sh\" ); }\n"
                + "if [ -n \"$log\" ]; then\n"
                + "  (umask 077; : >> \"$log\") || exit 1\n"
                + "  body 2>&1 | tee -a \"$log\"\n"
                + "  rc=${PIPESTATUS[0]}\n"
                + "  printf '[ssh-fleet] EXIT %s\\n' \"$rc\" >> \"$log\"\n"
                + "else\n"
                + "  body\n"
                + "  rc=$?\n"
                + "fi\n"
                + "exit \"$rc\"\n";
    }

    private void cleanUp(Machine m, Staged s) {
        try (RemoteFs fs = RemoteFs.open(pool, m, pool.sessionDeadline(), connectTimeout)) {
            removeAll(fs, s);
        } catch (FleetException e) {
            s.tickets().forEach(Litter.Ticket::leftBehind); // removed on the host's next connection
        }
    }

    private static void removeAll(RemoteFs fs, Staged s) {
        List<String> files = s.files();
        for (int i = 0; i < files.size(); i++) {
            if (fs.removeQuietly(files.get(i))) {
                s.tickets().get(i).close();
            } else {
                s.tickets().get(i).leftBehind();
            }
        }
    }
}
