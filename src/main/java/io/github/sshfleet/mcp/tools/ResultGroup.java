package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.ssh.CommandResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hosts whose results read the same: same exit code and signal, same stdout and stderr (with their sizes), same
 * error kind and message once the host's own name and address are taken out. Background commands each have their
 * own id, so they fold by their output so far and list their ids.
 */
record ResultGroup(List<CommandResult> members) {
    static List<ResultGroup> of(List<CommandResult> results) {
        Map<List<Object>, List<CommandResult>> byKey = new LinkedHashMap<>();
        for (CommandResult r : results) {
            byKey.computeIfAbsent(key(r), k -> new ArrayList<>()).add(r);
        }
        List<ResultGroup> groups = new ArrayList<>();
        byKey.values().forEach(m -> groups.add(new ResultGroup(List.copyOf(m))));
        // Largest first; among equals, the order of the hosts' first appearance (stable sort).
        groups.sort((a, b) -> Integer.compare(b.members.size(), a.members.size()));
        return groups;
    }

    private static List<Object> key(CommandResult r) {
        String error = r.failure() == null
                ? null
                : r.failure().kind() + ":" + generic(r, r.failure().getMessage());
        return java.util.Arrays.asList(
                r.backgroundId() != null,
                r.timedOut(),
                r.exitCode(),
                r.exitSignal(),
                r.stdout(),
                r.stderr(),
                r.stdoutBytes(),
                r.stderrBytes(),
                error);
    }

    /** An error message with the host's own name and address replaced, so that like failures fold. */
    static String generic(CommandResult r, String message) {
        String m = message.replace(r.address(), "{address}");
        int colon = r.address().lastIndexOf(':');
        if (colon > 0) {
            m = m.replace(r.address().substring(0, colon), "{ip}");
        }
        return m.replace(r.machine(), "{host}");
    }

    CommandResult first() {
        return members.get(0);
    }

    String hostSet() {
        return io.github.sshfleet.fleet.HostSet.fold(
                members.stream().map(CommandResult::machine).toList());
    }

    String status() {
        CommandResult r = first();
        if (r.backgroundId() != null) {
            return "STILL RUNNING as background commands "
                    + members.stream()
                            .map(m -> m.machine() + "=" + m.backgroundId())
                            .collect(java.util.stream.Collectors.joining(", "))
                    + " (get_command_status for new output and exit codes; interrupt_command to stop)";
        }
        if (r.timedOut()) {
            return "TIMED OUT (stopped; output so far below)";
        }
        if (r.failure() != null) {
            return "ERROR " + r.failure().kind().name().toLowerCase();
        }
        return r.exitCode() != null ? "exit_code: " + r.exitCode() : "killed by signal " + r.exitSignal();
    }

    void appendText(StringBuilder sb, boolean outlier) {
        long min =
                members.stream().mapToLong(CommandResult::durationMillis).min().orElse(0);
        long max =
                members.stream().mapToLong(CommandResult::durationMillis).max().orElse(0);
        sb.append("=== ")
                .append(hostSet())
                .append(" (")
                .append(CommandReport.hostsWord(members.size()))
                .append(outlier ? ", outlier" : "")
                .append(") ")
                .append(status())
                .append(", ")
                .append(min == max ? min + " ms" : min + "-" + max + " ms")
                .append(" ===\n");
        CommandResult r = first();
        if (r.failure() != null) {
            sb.append(r.failure().getMessage())
                    .append(members.size() > 1 ? " (likewise for the others)" : "")
                    .append('\n');
        }
        CommandReport.appendOutput(sb, r);
        sb.append('\n');
    }

    Map<String, Object> toMap(boolean withOutput) {
        CommandResult r = first();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hosts", hostSet());
        m.put("count", members.size());
        m.put("exit_code", r.exitCode());
        if (r.exitSignal() != null) {
            m.put("exit_signal", r.exitSignal());
        }
        m.put("timed_out", r.timedOut());
        if (r.backgroundId() != null) {
            m.put("running", true);
        }
        if (r.failure() != null) {
            m.put("error", r.failure().kind().name().toLowerCase());
            m.put("message", r.failure().getMessage());
        }
        CommandReport.putStreams(m, r, withOutput);
        if (!withOutput) {
            m.put("output_omitted", true);
        }
        return m;
    }
}
