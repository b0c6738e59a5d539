package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.jobs.BackgroundCommands;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.github.sshfleet.ssh.RunningCommand;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** execute_command_async: start a command in the background at once and return its id. */
final class ExecuteCommandAsyncTool implements ToolHandler {

    private final FleetServices fleet;

    ExecuteCommandAsyncTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "execute_command_async",
                "Start a command on one machine in the background; returns its id at once. Poll get_command_status, stop with interrupt_command. Output is kept bounded (head and newest tail).",
                Schema.object()
                        .string("host", null, true)
                        .string("command", null, true)
                        .integer("timeout", "Kill after (default: none).", null)
                        .bool("sudo", null, false)
                        .build(),
                false,
                true,
                false);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        String command = args.nonBlank("command");
        Machine m = Guard.one(
                fleet,
                args,
                Policy.Action.command("execute_command_async", command).asRoot(args.bool("sudo", false)),
                progress);
        Duration hard =
                args.has("timeout") ? args.seconds("timeout", Duration.ofHours(1), ExecTool.MAX_TIMEOUT_SECONDS) : null;
        boolean sudo = args.bool("sudo", false);
        RunningCommand rc =
                fleet.runner().start(m, command, hard, sudo, fleet.config().maxOutputBytes());
        BackgroundCommands.Entry e = fleet.background().track(rc);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("command_id", e.id());
        s.put("host", m.name());
        s.put("sudo", sudo);
        return Results.of(
                "Started " + e.id() + " on " + m.name() + (sudo ? " as root" : "") + ". Check it with "
                        + "get_command_status(command_id=\"" + e.id() + "\").",
                s,
                false);
    }
}
