package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.jobs.BackgroundCommands;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.ssh.CommandResult;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.LinkedHashMap;
import java.util.Map;

/** interrupt_command: SIGINT, then TERM, then KILL, and say which one worked. */
final class InterruptCommandTool implements ToolHandler {

    private final FleetServices fleet;

    InterruptCommandTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "interrupt_command",
                "Stop a background command: SIGINT, then SIGTERM and SIGKILL 2 s apart. Says what stopped it, or its exit code if it had ended.",
                Schema.object().string("command_id", null, true).build(),
                false,
                true,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        BackgroundCommands.Entry e = fleet.background().get(args.nonBlank("command_id"));
        boolean wasRunning = !e.command().finished();
        String how = e.command().interrupt("interrupt_command");
        CommandResult r = e.command().snapshot();
        String text = wasRunning
                ? e.id() + " on " + e.command().machine().name() + ": " + how + "; state: " + e.state()
                        + (r.exitCode() != null ? ", exit_code " + r.exitCode() : "")
                        + (r.exitSignal() != null ? "; the host reports it ended by signal " + r.exitSignal() : "")
                        + "."
                : e.id() + " had already ended (" + e.state()
                        + (r.exitCode() != null ? ", exit_code " + r.exitCode() : "") + "); nothing to interrupt.";
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("command_id", e.id());
        s.put("was_running", wasRunning);
        s.put("state", e.state());
        s.put("exit_code", r.exitCode());
        s.put("how", how);
        return Results.of(text, s, false);
    }
}
