package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * exec_readonly: exec for commands proven read-only before anything is sent (policy/ReadOnlyCommands), so a client
 * can allow it once. Then it is exec itself: the same fan-out, folding, bounds and background hand-off, as the login
 * user, without a PTY, with empty stdin.
 */
final class ExecReadonlyTool implements ToolHandler {

    private final FleetServices fleet;
    private final ExecTool exec;

    ExecReadonlyTool(FleetServices fleet) {
        this.fleet = fleet;
        this.exec = ExecTool.exec(fleet);
    }

    @Override
    public Spec spec() {
        return new Spec(
                "exec_readonly",
                "exec for commands that only read: plain commands and | pipelines of read-only programs (ls, cat, "
                        + "grep, df, ps, ss, ip addr, systemctl status, journalctl, find without -exec...; "
                        + "readonly_commands in config adds more). Anything else is refused before it reaches a "
                        + "machine, naming the token: use exec for it. As the login user, no PTY, empty stdin.",
                Schema.object()
                        .hosts("host", "One or more: name, IP, glob (web-*), @group, 'all'.")
                        .string("command", null, true)
                        .integer("timeout", null, null)
                        .build(),
                true,
                false,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        String command = args.nonBlank("command");
        fleet.readOnly().check(command); // before any machine is selected or touched
        Map<String, Object> forward = new LinkedHashMap<>();
        forward.put("host", args.raw("host"));
        forward.put("command", command);
        if (args.has("timeout")) {
            forward.put("timeout", args.raw("timeout"));
        }
        return exec.run(new Args("exec_readonly", forward), progress, Policy.Kind.READ);
    }
}
