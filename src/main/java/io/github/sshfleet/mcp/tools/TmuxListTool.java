package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.github.sshfleet.tmux.Tmux;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** tmux_list: the sessions on one machine's tmux server. */
final class TmuxListTool implements ToolHandler {

    private final FleetServices fleet;
    private final Tmux tmux;

    TmuxListTool(FleetServices fleet) {
        this.fleet = fleet;
        this.tmux = TmuxArgs.tmux(fleet);
    }

    @Override
    public Spec spec() {
        return new Spec(
                "tmux_list",
                "tmux sessions on one machine: name, windows, created, attached.",
                TmuxArgs.common(TmuxArgs.hostSchema(), 20).build(),
                true,
                false,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Machine m = TmuxArgs.machine(fleet, args, progress, Policy.Action.read("tmux_list"));
        boolean sudo = TmuxArgs.sudo(args);
        List<Tmux.Session> sessions = tmux.list(m, sudo, TmuxArgs.timeout(args, 20));
        StringBuilder text = new StringBuilder(
                sessions.isEmpty()
                        ? "No tmux sessions on " + m.name()
                                + (sudo
                                        ? " (root's tmux server; sudo: false shows the login user's)."
                                        : " (login user's server).")
                        : sessions.size() + " tmux session(s) on " + m.name() + ":\n");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Tmux.Session s : sessions) {
            text.append(s.name())
                    .append("  ")
                    .append(s.windows())
                    .append(" window(s)  created ")
                    .append(java.time.Instant.ofEpochSecond(s.createdEpochSeconds()))
                    .append(s.attached() ? "  (attached)" : "")
                    .append('\n');
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("session", s.name());
            row.put("windows", s.windows());
            row.put("created", s.createdEpochSeconds());
            row.put("attached", s.attached());
            rows.add(row);
        }
        return Results.of(text.toString().stripTrailing(), Map.of("host", m.name(), "sessions", rows), false);
    }
}
