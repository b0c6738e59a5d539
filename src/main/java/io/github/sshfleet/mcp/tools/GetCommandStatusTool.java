package io.github.sshfleet.mcp.tools;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.jobs.BackgroundCommands;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.ssh.RunningCommand;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;

/** get_command_status: state, exit code and the output that is new since the last look. */
final class GetCommandStatusTool implements ToolHandler {

    private final FleetServices fleet;

    GetCommandStatusTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec("get_command_status", "Background command status",
                "State of a background command (running, exited, interrupted, timed_out, killed, failed), exit code, "
                        + "duration, and the output that is new since the previous call (or since byte offset `since` "
                        + "of stdout). Output is bounded: what was dropped in between is marked.",
                Schema.object()
                        .string("command_id", "The id from exec or execute_command_async, e.g. cmd-3.", true)
                        .longInteger("since", "Return stdout from this byte offset instead of the last read.", 0,
                                Long.MAX_VALUE / 2, null)
                        .build(),
                true, false, false);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        BackgroundCommands.Entry e = fleet.background().get(args.nonBlank("command_id"));
        RunningCommand rc = e.command();
        Long since = args.has("since") ? args.longInteger("since", 0, 0, Long.MAX_VALUE / 2) : null;
        BackgroundCommands.Delta d = e.read(since);
        String state = e.state();
        CommandResult r = rc.snapshot();
        StringBuilder text = new StringBuilder(e.id()).append(" on ").append(rc.machine().name()).append(": ")
                .append(state);
        if (r.exitCode() != null && !state.equals("running")) {
            text.append(", exit_code ").append(r.exitCode());
        }
        if (r.exitSignal() != null) {
            text.append(", signal ").append(r.exitSignal());
        }
        text.append(", ").append(rc.elapsedMillis()).append(" ms");
        if (rc.interruptedBy() != null) {
            text.append(" (interrupted: ").append(rc.interruptedBy()).append(')');
        }
        if (r.failure() != null) {
            text.append("\n").append(r.failure().getMessage());
        }
        text.append("\n--- new stdout (to byte ").append(d.stdoutOffset()).append(") ---\n")
                .append(d.stdout().isEmpty() ? "(nothing new)" : d.stdout());
        if (!d.stderr().isEmpty()) {
            text.append("\n--- new stderr ---\n").append(d.stderr());
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("command_id", e.id());
        s.put("host", rc.machine().name());
        s.put("state", state);
        s.put("exit_code", state.equals("running") ? null : r.exitCode());
        s.put("duration_ms", rc.elapsedMillis());
        s.put("stdout", d.stdout());
        s.put("stderr", d.stderr());
        s.put("stdout_offset", d.stdoutOffset());
        s.put("stdout_bytes", r.stdoutBytes());
        s.put("stderr_bytes", r.stderrBytes());
        return Results.of(text.toString(), s, false);
    }
}
