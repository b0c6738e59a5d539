package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
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
                "Open a persistent shell on one machine (root by default) and return its id for shell_run; cwd, "
                        + "variables and functions persist. A transcript is kept on this side (path in the result); "
                        + "idle shells close after shell_idle_timeout. With `name`, opening it again returns the same "
                        + "live shell.",
                Schema.object()
                        .string("host", null, true)
                        .bool("sudo", "false: a login-user shell.", true)
                        .string("name", "Letters, digits, . _ -", false)
                        .build(),
                false,
                true,
                false);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Machine m = Guard.one(fleet, args, Policy.Action.of("shell_open", Policy.Kind.CONTROL), progress);
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
