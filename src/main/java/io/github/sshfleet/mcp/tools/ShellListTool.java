package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.shell.ShellSession;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** shell_list: the open persistent shells. */
final class ShellListTool implements ToolHandler {

    private final FleetServices fleet;

    ShellListTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "shell_list",
                "Open shells: id, name, host, user, root or not, cwd, age, idle time.",
                Schema.object().build(),
                true,
                false,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        List<ShellSession> shells = fleet.shells().list();
        StringBuilder text = new StringBuilder(
                shells.isEmpty()
                        ? "No open shells. Open one with shell_open(host)."
                        : shells.size() + " open shell(s):\n");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ShellSession s : shells) {
            long age = Duration.between(s.opened(), Instant.now()).toSeconds();
            long idle = s.idleMillis() / 1000;
            String user = s.root() ? "root" : s.machine().username();
            text.append(s.id())
                    .append("  ")
                    .append(s.machine().name())
                    .append("  ")
                    .append(user)
                    .append("  cwd ")
                    .append(s.cwd() == null ? "?" : s.cwd())
                    .append("  age ")
                    .append(age)
                    .append(" s  idle ")
                    .append(idle)
                    .append(" s\n");
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("session_id", s.id());
            row.put("host", s.machine().name());
            row.put("user", user);
            row.put("root", s.root());
            row.put("cwd", s.cwd());
            row.put("age_seconds", age);
            row.put("idle_seconds", idle);
            rows.add(row);
        }
        return Results.of(text.toString().stripTrailing(), Map.of("shells", rows), false);
    }
}
