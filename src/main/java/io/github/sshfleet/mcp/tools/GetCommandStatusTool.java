package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.jobs.BackgroundCommands;
import io.github.sshfleet.jobs.FanoutResults;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.ssh.RunningCommand;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.LinkedHashMap;
import java.util.Map;

/** get_command_status: state, exit code and the output that is new since the last look. */
final class GetCommandStatusTool implements ToolHandler {

    private final FleetServices fleet;

    GetCommandStatusTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "get_command_status",
                "A background command's state, exit code, duration and the output new since the last call; dropped parts are marked. With a fan-out run-N id and `host`: that host's full result.",
                Schema.object()
                        .string("command_id", "cmd-N or run-N.", true)
                        .string("host", "With run-N: that host's full result.", false)
                        .longInteger("since", "Read stdout from this byte offset instead.", null)
                        .build(),
                true,
                false,
                false);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        String id = args.nonBlank("command_id").strip();
        if (FanoutResults.isRunId(id)) {
            return fanoutHost(
                    id,
                    args.optional("host"),
                    args.has("since") ? args.longInteger("since", 0, 0, Long.MAX_VALUE / 2) : 0);
        }
        BackgroundCommands.Entry e = fleet.background().get(id);
        RunningCommand rc = e.command();
        Long since = args.has("since") ? args.longInteger("since", 0, 0, Long.MAX_VALUE / 2) : null;
        BackgroundCommands.Delta d = e.read(since);
        String state = e.state();
        CommandResult r = rc.snapshot();
        StringBuilder text = new StringBuilder(e.id())
                .append(" on ")
                .append(rc.machine().name())
                .append(": ")
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
        text.append("\n--- new stdout (to byte ")
                .append(d.stdoutOffset())
                .append(") ---\n")
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

    /** One host's result of a fan-out call, stdout from byte {@code since} (as captured, bounded per host). */
    private CallToolResult fanoutHost(String id, String host, long since) {
        CommandResult r = fleet.fanoutResults().get(id, host);
        String out = r.stdout();
        int from = (int) Math.min(out.length(), Math.max(0, since));
        String page = out.substring(from, Math.min(out.length(), from + PAGE));
        StringBuilder text = new StringBuilder(id)
                .append(" on ")
                .append(r.machine())
                .append(": ")
                .append(
                        r.failure() != null
                                ? "error " + r.failure().kind().name().toLowerCase(java.util.Locale.ROOT)
                                : r.exitCode() != null ? "exit_code " + r.exitCode() : "signal " + r.exitSignal())
                .append(", ")
                .append(r.durationMillis())
                .append(" ms");
        if (r.failure() != null) {
            text.append('\n').append(r.failure().getMessage());
        }
        text.append("\n--- stdout (characters ")
                .append(from)
                .append('-')
                .append(from + page.length())
                .append(" of ")
                .append(out.length())
                .append(
                        r.stdoutTruncated()
                                ? "; the host wrote " + r.stdoutBytes() + " bytes, " + "the middle was not kept"
                                : "")
                .append(") ---\n")
                .append(page);
        if (from + page.length() < out.length()) {
            text.append("\n[more: since=").append(from + page.length()).append(']');
        }
        if (!r.stderr().isEmpty()) {
            text.append("\n--- stderr ---\n").append(r.stderr());
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("command_id", id);
        s.put("host", r.machine());
        s.put("exit_code", r.exitCode());
        s.put("duration_ms", r.durationMillis());
        s.put("stdout", page);
        s.put("stdout_offset", from + page.length());
        s.put("stdout_total", out.length());
        s.put("stderr", r.stderr());
        if (r.failure() != null) {
            s.put("error", r.failure().kind().name().toLowerCase(java.util.Locale.ROOT));
        }
        return Results.of(text.toString(), s, false);
    }

    /** How much of one host's stdout one call returns. */
    private static final int PAGE = 64 * 1024;
}
