package io.github.sshfleet.mcp.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Fanout;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.ssh.CommandResult;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;

/**
 * Formats command results for the agent (one section per host, stdout and stderr apart, a header that says how it
 * ended) and as structuredContent. The result is an error when any host did not exit 0.
 */
final class CommandReport {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CommandReport.class);

    private CommandReport() {}

    /** Per-stream cap for one host when {@code hosts} share a call: the total stays near 4x max_output_bytes. */
    static int perStreamCap(int maxOutputBytes, int hosts) {
        if (hosts <= 2) {
            return maxOutputBytes;
        }
        return Math.max(4096, Math.min(maxOutputBytes, 4 * maxOutputBytes / hosts));
    }

    /**
     * A host whose task did not return a result (see {@link Fanout.Outcome}): its own section, saying exactly what is
     * known about whether the command ran, so nobody re-runs a non-idempotent command on a guess.
     */
    static CommandResult unfinished(Machine m, Fanout.Outcome outcome, Throwable cause) {
        FleetException e = switch (outcome) {
            case NOT_STARTED -> new FleetException(FleetException.Kind.CANCELLED, "not started on " + m.name()
                    + ": the call was cancelled while this host waited for its turn. Nothing ran there.");
            case ABANDONED -> new FleetException(FleetException.Kind.CANCELLED, "the call was cancelled while the "
                    + "command ran on " + m.name() + "; it was being stopped, and its outcome is unknown. Check the "
                    + "host (list_running_commands) before running it again.");
            case FAILED -> cause instanceof FleetException fe ? fe : new FleetException(FleetException.Kind.INTERNAL,
                    "ssh-fleet hit an unexpected error on " + m.name() + " (" + cause + "); whether the command "
                    + "started there is unknown. Check the host before running it again; other hosts are unaffected. "
                    + "Details are in the server log.", cause);
        };
        if (outcome == Fanout.Outcome.FAILED && !(cause instanceof FleetException)) {
            log.error("unexpected error in a fan-out task for {}", m.name(), cause);
        }
        return CommandResult.failed(m.name(), m.address(), 0, e);
    }

    static CallToolResult report(List<CommandResult> results) {
        StringBuilder text = new StringBuilder();
        long ok = results.stream().filter(r -> r.ok() || r.backgroundId() != null).count();
        if (results.size() > 1) {
            text.append(results.size()).append(" hosts: ").append(ok).append(" ok, ").append(results.size() - ok)
                    .append(" failed\n\n");
        }
        List<Map<String, Object>> structured = new ArrayList<>();
        for (CommandResult r : results) {
            appendText(text, r, results.size() > 1);
            structured.add(toMap(r));
        }
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("results", structured);
        content.put("ok", ok);
        content.put("failed", results.size() - ok);
        return Results.of(text.toString().stripTrailing(), content, ok < results.size());
    }

    private static void appendText(StringBuilder sb, CommandResult r, boolean sectioned) {
        String status = status(r);
        if (sectioned) {
            sb.append("=== ").append(r.machine()).append(" (").append(r.address()).append(") ").append(status)
                    .append(" ===\n");
        } else {
            sb.append(status).append(" [").append(r.machine()).append("]\n");
        }
        if (r.failure() != null) {
            sb.append(r.failure().getMessage()).append('\n');
        }
        if (!r.stdout().isEmpty()) {
            sb.append("--- stdout").append(r.stdoutTruncated() ? " (" + r.stdoutBytes() + " bytes, middle omitted)" : "")
                    .append(" ---\n").append(r.stdout());
            endLine(sb);
        }
        if (!r.stderr().isEmpty()) {
            sb.append("--- stderr").append(r.stderrTruncated() ? " (" + r.stderrBytes() + " bytes, middle omitted)" : "")
                    .append(" ---\n").append(r.stderr());
            endLine(sb);
        }
        if (r.failure() == null && r.stdout().isEmpty() && r.stderr().isEmpty()) {
            sb.append("(no output)\n");
        }
        if (sectioned) {
            sb.append('\n');
        }
    }

    private static String status(CommandResult r) {
        String time = r.durationMillis() + " ms";
        if (r.backgroundId() != null) {
            return "STILL RUNNING after " + time + " as background command " + r.backgroundId() + " (get_command_status"
                    + "(command_id=\"" + r.backgroundId() + "\") for new output and the exit code; interrupt_command to "
                    + "stop it); output so far below";
        }
        if (r.timedOut()) {
            return "TIMED OUT after " + time + " (the command was stopped; output so far below)";
        }
        if (r.failure() != null) {
            return "ERROR " + r.failure().kind().name().toLowerCase() + " after " + time;
        }
        if (r.exitCode() != null) {
            return "exit_code: " + r.exitCode() + ", " + time;
        }
        return "killed by signal " + r.exitSignal() + ", " + time;
    }

    private static void endLine(StringBuilder sb) {
        if (sb.charAt(sb.length() - 1) != '\n') {
            sb.append('\n');
        }
    }

    private static Map<String, Object> toMap(CommandResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", r.machine());
        m.put("address", r.address());
        m.put("exit_code", r.exitCode());
        if (r.exitSignal() != null) {
            m.put("exit_signal", r.exitSignal());
        }
        m.put("stdout", r.stdout());
        m.put("stderr", r.stderr());
        m.put("stdout_bytes", r.stdoutBytes());
        m.put("stderr_bytes", r.stderrBytes());
        m.put("stdout_truncated", r.stdoutTruncated());
        m.put("stderr_truncated", r.stderrTruncated());
        m.put("timed_out", r.timedOut());
        m.put("duration_ms", r.durationMillis());
        if (r.backgroundId() != null) {
            m.put("running", true);
            m.put("command_id", r.backgroundId());
        }
        if (r.failure() != null) {
            m.put("error", r.failure().kind().name().toLowerCase());
            m.put("message", r.failure().getMessage());
        }
        return m;
    }
}
