package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.forward.Forwards;
import io.github.sshfleet.jobs.BackgroundCommands;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.shell.ShellSession;
import io.github.sshfleet.ssh.ConnectionPool;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * disconnect: closes machines' pooled sessions. What still uses a session (shells, forwards, background commands,
 * calls in flight) is named, and ended only with force, so nothing dies by surprise.
 */
final class DisconnectTool implements ToolHandler {

    private final FleetServices fleet;

    DisconnectTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "disconnect",
                "Close the pooled SSH session of machines (name, list, glob, @group, 'all'). While shells, forwards or commands use it, they are listed and nothing closes, unless force (ends them).",
                Schema.object()
                        .hosts("host", "One or more: name, IP, glob (web-*), @group, 'all'.")
                        .bool("force", null, false)
                        .build(),
                false,
                true,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        List<Machine> machines = fleet.machines().select(args.raw("host"));
        boolean force = args.bool("force", false);
        Map<Machine, List<String>> users = new LinkedHashMap<>();
        for (Machine m : machines) {
            List<String> u = usersOf(m);
            if (!u.isEmpty()) {
                users.put(m, u);
            }
        }
        if (!users.isEmpty() && !force) {
            StringBuilder why = new StringBuilder("nothing was closed: ");
            users.forEach((m, u) -> why.append(m.name())
                    .append(" is used by ")
                    .append(String.join(", ", u))
                    .append("; "));
            throw new FleetException(
                    FleetException.Kind.CONFLICT,
                    why + "pass force: true to end them too, or stop "
                            + "them first (shell_close, forward_stop, interrupt_command).");
        }
        List<String> ended = new ArrayList<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        int closed = 0;
        for (Machine m : machines) {
            List<String> endedHere = force ? end(m) : List.of();
            ended.addAll(endedHere);
            boolean wasConnected =
                    fleet.pool().status(m).map(ConnectionPool.Status::connected).orElse(false);
            fleet.pool().invalidate(m.connectionKey());
            closed += wasConnected ? 1 : 0;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("host", m.name());
            row.put("was_connected", wasConnected);
            row.put("ended", endedHere);
            rows.add(row);
        }
        String text = "Closed " + closed + " pooled session" + (closed == 1 ? "" : "s") + " of " + machines.size()
                + (machines.size() == 1 ? " machine" : " machines") + " ("
                + io.github.sshfleet.fleet.HostSet.fold(
                        machines.stream().map(Machine::name).toList()) + ")"
                + (ended.isEmpty() ? "." : "; ended: " + String.join(", ", ended) + ".")
                + " The next call to them connects afresh.";
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("closed", closed);
        s.put("machines", rows);
        return Results.of(text, s, false);
    }

    private List<String> usersOf(Machine m) {
        List<String> u = new ArrayList<>();
        fleet.shells().list().stream().filter(sh -> same(sh.machine(), m)).forEach(sh -> u.add("shell " + sh.id()));
        fleet.forwards().list().stream()
                .filter(f -> f.host().equalsIgnoreCase(m.name()))
                .forEach(f -> u.add("forward " + f.id()));
        fleet.background().running().stream()
                .filter(e -> same(e.command().machine(), m))
                .forEach(e -> u.add("background command " + e.id()));
        int leased = fleet.pool().status(m).map(ConnectionPool.Status::inUse).orElse(0);
        int known = u.size();
        if (leased > known) {
            u.add((leased - known) + " call(s) in flight");
        }
        return u;
    }

    private List<String> end(Machine m) {
        List<String> ended = new ArrayList<>();
        for (ShellSession sh : fleet.shells().list()) {
            if (same(sh.machine(), m)) {
                fleet.shells().close(sh.id());
                ended.add("shell " + sh.id());
            }
        }
        for (Forwards.Info f : fleet.forwards().list()) {
            if (f.host().equalsIgnoreCase(m.name())) {
                fleet.forwards().stop(f.id());
                ended.add("forward " + f.id());
            }
        }
        for (BackgroundCommands.Entry e : fleet.background().running()) {
            if (same(e.command().machine(), m)) {
                e.command().interrupt("disconnect");
                ended.add("background command " + e.id());
            }
        }
        return ended;
    }

    private static boolean same(Machine a, Machine b) {
        return a.connectionKey().equals(b.connectionKey());
    }
}
