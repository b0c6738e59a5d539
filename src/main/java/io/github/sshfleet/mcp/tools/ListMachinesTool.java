package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.config.ConfigProblem;
import io.github.sshfleet.config.HostKeyPolicy;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.fleet.MachineStore;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.ssh.ConnectionPool;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** list_machines: every machine with address, user, auth kind (never the secret), metadata and pool state. */
final class ListMachinesTool implements ToolHandler {

    private final FleetServices fleet;

    ListMachinesTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "list_machines",
                "Machines ssh-fleet can reach: name, address, user, auth kind (no secrets), groups, metadata, permanent or temporary, and the pooled connection (state, last error, next retry).",
                Schema.object().build(),
                true,
                false,
                true);
    }

    /** Each machine's groups (@name in any host argument), resolved as a host argument would be. */
    private Map<String, List<String>> groupsOf(List<Machine> machines) {
        Map<String, List<String>> of = new LinkedHashMap<>();
        for (String g : new java.util.TreeSet<>(fleet.machines().groups().keySet())) {
            List<Machine> members;
            try {
                members = io.github.sshfleet.fleet.HostSelector.select(
                        "@" + g, machines, fleet.machines().groups());
            } catch (io.github.sshfleet.core.FleetException e) {
                continue; // a member that matches nothing: the group still lists, just not under any machine
            }
            members.forEach(
                    m -> of.computeIfAbsent(m.name(), x -> new ArrayList<>()).add(g));
        }
        return of;
    }

    /** One bracket of pool state: "connected, idle 4s", "failed (unreachable) 3x over 12 s, retry in 4.0 s: ...". */
    private static String describe(ConnectionPool.Status s) {
        String base = switch (s.state()) {
            case "ready" ->
                s.inUse() > 0
                        ? "connected, " + s.inUse() + " in use"
                        : "connected, idle " + (s.idleMillis() / 1000) + "s";
            case "connecting" -> "connecting";
            case "failed" ->
                "failed (" + s.errorKind() + ") " + s.failures() + "x over " + s.failingForMillis() / 1000
                        + " s, "
                        + (s.retryInMillis() > 0
                                ? "next try in " + String.format("%.1f", s.retryInMillis() / 1000.0) + " s"
                                : "tried again on the next call");
            default -> "not connected";
        };
        if (s.lastError() != null && !"failed".equals(s.state())) {
            base += "; last connect failed (" + s.errorKind() + ")";
        }
        if (s.lastError() != null) {
            String msg = s.lastError();
            base += ": " + (msg.length() > 160 ? msg.substring(0, 160) + "..." : msg);
        }
        return base;
    }

    // Long on purpose: builds one row per machine with every column the tool documents; each column is two lines.
    @Override
    public CallToolResult call(Args args, Progress progress) {
        List<Machine> machines = fleet.machines().machines();
        StringBuilder text = new StringBuilder();
        if (fleet.config().hostKeyPolicy() == HostKeyPolicy.OFF) {
            text.append(
                    "WARNING: host_key_policy is off: host keys are NOT verified (man-in-the-middle possible).\n\n");
        }
        if (fleet.machines().unusable().isPresent()) {
            ConfigProblem why = fleet.machines().unusable().get();
            text.append("No machines: the config could not be read (")
                    .append(why.where())
                    .append(": ")
                    .append(why.message())
                    .append(").\n");
        } else if (machines.isEmpty()) {
            text.append("No machines configured. ")
                    .append(MachineStore.SETUP_HINT)
                    .append('\n');
        } else {
            text.append(machines.size()).append(machines.size() == 1 ? " machine:\n" : " machines:\n");
        }
        Map<String, List<String>> groupsOf = groupsOf(machines);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Machine m : machines) {
            Optional<ConnectionPool.Status> st = fleet.pool().status(m);
            String pool = st.map(ListMachinesTool::describe).orElse("not connected");
            text.append("- ")
                    .append(m.name())
                    .append("  ")
                    .append(m.username())
                    .append('@')
                    .append(m.address())
                    .append("  auth=")
                    .append(m.authKind())
                    .append(
                            m.origin() == Machine.Origin.TEMPORARY
                                    ? "  temporary"
                                    : m.origin() == Machine.Origin.SSH_CONFIG ? "  from " + m.source() : "")
                    .append("  [")
                    .append(pool)
                    .append(']');
            if (m.jump() != null) {
                text.append("  via=").append(m.jump());
            } else if (m.proxyCommand() != null) {
                text.append("  via=ProxyCommand");
            }
            String cert = io.github.sshfleet.ssh.CertificateReport.userCertificate(m, java.time.Instant.now());
            if (cert != null) {
                text.append("  certificate=").append(cert);
            }
            List<String> in = groupsOf.getOrDefault(m.name(), List.of());
            if (!in.isEmpty()) {
                text.append("  groups=").append(String.join(",", in));
            }
            Optional<io.github.sshfleet.policy.Policy.Entry> policy = Guard.entryOf(fleet, m);
            policy.ifPresent(e -> text.append("  policy=").append(e.mode().configName()));
            m.metadata()
                    .forEach((k, v) -> text.append("  ").append(k).append('=').append(v));
            text.append('\n');

            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", m.name());
            row.put("address", m.host());
            row.put("port", m.port());
            row.put("user", m.username());
            row.put("auth", m.authKind());
            row.put(
                    "reached",
                    m.jump() != null ? "jump " + m.jump() : m.proxyCommand() != null ? "proxy_command" : "direct");
            if (cert != null) {
                row.put("certificate", cert);
            }
            row.put("permanent", m.origin() != Machine.Origin.TEMPORARY);
            row.put("origin", m.origin().name().toLowerCase());
            row.put("source", m.source());
            row.put("metadata", m.metadata());
            row.put("groups", in);
            policy.ifPresent(e -> row.put("policy", Map.of("mode", e.mode().configName(), "entry", e.index())));
            row.put("connected", st.map(ConnectionPool.Status::connected).orElse(false));
            row.put("state", st.map(ConnectionPool.Status::state).orElse("not_connected"));
            st.ifPresent(s -> {
                row.put("channels_in_use", s.inUse());
                if (s.connected()) {
                    row.put("idle_seconds", s.idleMillis() / 1000);
                }
                if (s.lastError() != null) {
                    row.put("last_error", s.errorKind());
                    row.put("last_error_message", s.lastError());
                    row.put("failures", s.failures());
                    row.put("failing_for_seconds", s.failingForMillis() / 1000);
                    row.put("retry_in_ms", s.retryInMillis());
                }
            });
            rows.add(row);
        }
        List<ConfigProblem> problems = fleet.machines().problems();
        if (!problems.isEmpty()) {
            text.append("\nHosts file problems:\n");
            problems.forEach(p -> text.append("- ").append(p).append('\n'));
        }
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("machines", rows);
        structured.put("host_key_policy", fleet.config().hostKeyPolicy().configName());
        structured.put("groups", fleet.machines().groups());
        structured.put(
                "problems", problems.stream().map(ConfigProblem::toString).toList());
        return Results.of(text.toString().stripTrailing(), structured, false);
    }
}
