package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.files.ScriptRunner;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.github.sshfleet.ssh.CommandResult;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** run_script: a script body staged over SFTP and run with a short command, in the foreground or in tmux. */
final class RunScriptTool implements ToolHandler {

    private final FleetServices fleet;
    private final ScriptRunner scripts;

    RunScriptTool(FleetServices fleet) {
        this.fleet = fleet;
        this.scripts = fleet.scripts();
    }

    @Override
    public Spec spec() {
        String description = "Run a bash script on one machine: the body is uploaded to a private file and run, so "
                + "quotes, $VARS, backticks and heredocs need no escaping. Root by default. `env` values are "
                + "secrets (never on a command line, masked in output). Like exec (exit code, bounded output, "
                + "killed on timeout), or with tmux_session started detached and returned at once; log_path "
                + "gets all output and a final '[ssh-fleet] EXIT <code>' line. Runner files are removed when "
                + "it exits unless keep_script.";
        Schema schema = Schema.object()
                .string("host", null, true)
                .string("script", "bash.", true)
                .bool("sudo", "Run as root (default true).", true)
                .integer("timeout", "Not with tmux_session.", 60)
                .string("tmux_session", "Start detached in this new tmux session.", false)
                .string("log_path", null, false)
                .stringMap("env", "Values are secrets: never in argv, masked.")
                .bool("keep_script", null, false);
        if (background()) {
            schema.integer("async_after", "Then return a background command id (default: the timeout).", null);
        }
        return new Spec(
                "run_script",
                "Run a bash script on one machine (root by default): the body goes to a private file, so nothing needs escaping; env values are secrets. Returns like exec, or starts detached in tmux_session; log_path gets all output and '[ssh-fleet] EXIT <code>'.",
                schema.build(),
                false,
                true,
                false);
    }

    /** With the async tools off nothing could follow a background script: it is always waited for. */
    private boolean background() {
        return !fleet.config().disabledTools().contains("async");
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        String script = args.nonBlank("script");
        Machine m = Guard.one(
                fleet,
                args,
                new Policy.Action(
                        "run_script", Policy.Kind.SCRIPT, script, java.util.List.of(), args.bool("sudo", true)),
                progress);
        boolean sudo = args.bool("sudo", true);
        Duration timeout = args.seconds("timeout", Duration.ofSeconds(60), ExecTool.MAX_TIMEOUT_SECONDS);
        String session = args.optional("tmux_session");
        String log = args.optional("log_path");
        Map<String, String> env = args.stringMap("env");
        boolean keep = args.bool("keep_script", false);
        ScriptRunner.check(env, session);

        if (session != null) {
            ScriptRunner.Launched l = scripts.launch(m, script, env, sudo, session, log, keep, Duration.ofSeconds(20));
            String text = "Started in tmux session '" + l.session() + "' on " + m.name()
                    + (l.asRoot() ? " (root's tmux server)" : "") + "; the call returns now, the script keeps "
                    + "running.\nWatch it: tmux_capture(host=\"" + m.name() + "\", target=\"" + l.session() + "\")"
                    + (l.logPath() != null
                            ? ", or " + (l.asRoot() ? "sudo_exec" : "exec") + "(host=\"" + m.name()
                                    + "\", command=\"tail -n 50 " + io.github.sshfleet.ssh.Shell.quote(l.logPath())
                                    + "\")"
                                    + (l.asRoot() ? " (the log is root's, mode 0600)" : "") + " (the log ends with "
                                    + "'[ssh-fleet] EXIT <code>' when the script finishes)"
                            : "")
                    + ".\nThe tmux session closes when the script ends"
                    + (keep ? "; the runner stays at " + l.runner() : "; the runner files are removed then") + ".";
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("host", m.name());
            s.put("tmux_session", l.session());
            s.put("log_path", l.logPath());
            s.put("runner", l.runner());
            s.put("as_root", l.asRoot());
            return Results.of(text, s, false);
        }
        int cap = fleet.config().maxOutputBytes();
        Duration asyncAfter = !background()
                ? timeout.plusSeconds(5)
                : args.seconds(
                        "async_after",
                        fleet.config().asyncAfter().compareTo(timeout) > 0
                                ? fleet.config().asyncAfter()
                                : timeout.plusSeconds(5),
                        ExecTool.MAX_TIMEOUT_SECONDS);
        io.github.sshfleet.ssh.RunningCommand rc = scripts.start(m, script, env, sudo, timeout, log, keep, cap);
        progress.onCancel(() -> rc.interrupt("the client cancelled the request"));
        CommandResult r = new Waiter(fleet, progress, asyncAfter, 1).await(rc);
        return CommandReport.report(List.of(r));
    }
}
