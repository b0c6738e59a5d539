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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** list_running_commands and list_command_history: the background commands, live or finished. */
final class CommandListsTool implements ToolHandler {

    private final FleetServices fleet;
    private final boolean history;

    private CommandListsTool(FleetServices fleet, boolean history) {
        this.fleet = fleet;
        this.history = history;
    }

    static CommandListsTool running(FleetServices fleet) {
        return new CommandListsTool(fleet, false);
    }

    static CommandListsTool history(FleetServices fleet) {
        return new CommandListsTool(fleet, true);
    }

    @Override
    public Spec spec() {
        return history
                ? new Spec(
                        "list_command_history",
                        "Recently finished background commands, newest first.",
                        Schema.object().integer("limit", "At most 100.", 20).build(),
                        true,
                        false,
                        true)
                : new Spec(
                        "list_running_commands",
                        "Background commands still running: id, host, command, age, output so far.",
                        Schema.object().build(),
                        true,
                        false,
                        true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        List<BackgroundCommands.Entry> entries = history
                ? fleet.background().history(args.integer("limit", 20, 1, 100))
                : fleet.background().running();
        StringBuilder text = new StringBuilder(
                entries.isEmpty()
                        ? (history ? "No finished background commands yet." : "No background commands running.")
                        : entries.size() + (history ? " finished, newest first:\n" : " running:\n"));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (BackgroundCommands.Entry e : entries) {
            CommandResult r = e.command().snapshot();
            String cmd = e.command().command().length() > 80
                    ? e.command().command().substring(0, 80) + "..."
                    : e.command().command();
            text.append(e.id())
                    .append("  ")
                    .append(e.command().machine().name())
                    .append("  ")
                    .append(e.state())
                    .append(r.exitCode() != null && history ? " " + r.exitCode() : "")
                    .append("  ")
                    .append(e.command().elapsedMillis() / 1000)
                    .append(" s  ")
                    .append(cmd)
                    .append('\n');
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("command_id", e.id());
            row.put("host", e.command().machine().name());
            row.put("command", e.command().command());
            row.put("state", e.state());
            row.put("exit_code", history ? r.exitCode() : null);
            row.put("duration_ms", e.command().elapsedMillis());
            row.put("started", e.command().started().toString());
            rows.add(row);
        }
        return Results.of(text.toString().stripTrailing(), Map.of("commands", rows), false);
    }
}
