package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.github.sshfleet.shell.ShellResult;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** shell_run: one command in an open shell; real exit code, clean output. */
final class ShellRunTool implements ToolHandler {

    private final FleetServices fleet;

    ShellRunTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "shell_run",
                "Run a command in a shell from shell_open: output (stdout and stderr together, capped), exit code, cwd after. State persists. On timeout: Ctrl-C, partial output, the shell stays usable.",
                Schema.object()
                        .string("session_id", "From shell_open.", true)
                        .string("command", null, true)
                        .integer("timeout", "Then Ctrl-C.", 60)
                        .build(),
                false,
                true,
                false);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        String id = args.nonBlank("session_id");
        String command = args.nonBlank("command");
        Duration timeout = args.seconds("timeout", Duration.ofSeconds(60), ExecTool.MAX_TIMEOUT_SECONDS);
        io.github.sshfleet.shell.ShellSession shell = fleet.shells().get(id);
        Guard.check(
                fleet,
                shell.machine(),
                Policy.Action.command("shell_run", command).asRoot(shell.root()),
                progress);
        ShellResult r = fleet.shells().run(id, command, timeout, fleet.config().maxOutputBytes());
        String status = r.timedOut()
                ? "TIMED OUT after " + r.durationMillis() + " ms (" + r.note() + ")"
                : "exit_code: " + r.exitCode() + ", " + r.durationMillis() + " ms";
        StringBuilder text = new StringBuilder(status)
                .append(" [")
                .append(r.sessionId())
                .append(", cwd ")
                .append(r.cwd())
                .append("]\n");
        if (r.truncated()) {
            text.append("--- output (").append(r.outputBytes()).append(" bytes, middle omitted) ---\n");
        }
        text.append(r.output().isEmpty() ? "(no output)" : r.output());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("session_id", r.sessionId());
        s.put("host", r.machine());
        s.put("exit_code", r.exitCode());
        s.put("output", r.output());
        s.put("output_bytes", r.outputBytes());
        s.put("truncated", r.truncated());
        s.put("timed_out", r.timedOut());
        s.put("cwd", r.cwd());
        s.put("duration_ms", r.durationMillis());
        return Results.of(
                text.toString().stripTrailing(), s, r.timedOut() || r.exitCode() == null || r.exitCode() != 0);
    }
}
