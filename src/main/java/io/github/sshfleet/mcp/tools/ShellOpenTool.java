package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.shell.ShellSession;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.LinkedHashMap;
import java.util.Map;

/** shell_open: a persistent (root) shell on one machine, for multi-step work. */
final class ShellOpenTool implements ToolHandler {

    private final FleetServices fleet;

    ShellOpenTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "shell_open",
                "Open persistent shell",
                "Open a persistent shell on one machine and return its session id (e.g. shell-web-1-1) for shell_run. "
                        + "cwd, exported variables and functions persist between commands, and sudo is asked once "
                        + "(root shell by default; sudo: false for the login user). Every shell keeps a transcript "
                        + "(commands and output) on the ssh-fleet machine; its path is in the result. Idle shells "
                        + "close after shell_idle_timeout (30 min). Close it with shell_close when done. With `name`, "
                        + "the shell is shell-HOST-NAME and opening it again returns the same live shell (its cwd and "
                        + "variables intact): a safe way to find your shell again.",
                Schema.object()
                        .string("host", "Machine name or IP (one machine).", true)
                        .bool("sudo", "Root shell via sudo (default true); false opens a login-user shell.", true)
                        .string(
                                "name",
                                "A name for the shell (letters, digits, '.', '_', '-'): reopening returns the "
                                        + "same shell.",
                                false)
                        .build(),
                false,
                true,
                false);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Machine m = fleet.machines().one(args.nonBlank("host"));
        boolean root = args.bool("sudo", true);
        String name = args.optional("name");
        if (name != null && !io.github.sshfleet.config.HostsFile.isValidName(name.strip())) {
            throw io.github.sshfleet.core.FleetException.badArgument(
                    "shell_open: name " + io.github.sshfleet.core.FleetException.quote(name)
                            + " must be letters, digits, '.', '_' or '-'.");
        }
        boolean reused = false;
        ShellSession s;
        if (name != null) {
            io.github.sshfleet.shell.ShellSessions.Opened o = fleet.shells().openNamed(m, root, name.strip());
            s = o.shell();
            reused = o.reused();
        } else {
            s = fleet.shells().open(m, root);
        }
        String text =
                (reused ? "Reusing " + s.id() + " (still open, cwd " + s.cwd() + "): " : "Opened " + s.id() + ": ")
                        + (root ? "root" : m.username()) + " shell on " + m.name() + " ("
                        + m.address() + "). Use shell_run(session_id=\"" + s.id() + "\", command=...)."
                        + (s.transcript() != null ? "\nTranscript: " + s.transcript() : "");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("session_id", s.id());
        out.put("host", m.name());
        out.put("root", root);
        out.put("reused", reused);
        out.put("transcript", s.transcript() == null ? null : s.transcript().toString());
        return Results.of(text, out, false);
    }
}
