package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Fanout;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.ssh.CommandResult;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
            case NOT_STARTED ->
                new FleetException(
                        FleetException.Kind.CANCELLED,
                        "not started on " + m.name()
                                + ": the call was cancelled while this host waited for its turn. Nothing ran there.");
            case ABANDONED ->
                new FleetException(
                        FleetException.Kind.CANCELLED,
                        "the call was cancelled while the "
                                + "command ran on " + m.name()
                                + "; it was being stopped, and its outcome is unknown. Check the "
                                + "host (list_running_commands) before running it again.");
            case FAILED ->
                cause instanceof FleetException fe
                        ? fe
                        : new FleetException(
                                FleetException.Kind.INTERNAL,
                                "ssh-fleet hit an unexpected error on " + m.name() + " (" + cause
                                        + "); whether the command "
                                        + "started there is unknown. Check the host before running it again; other hosts are unaffected. "
                                        + "Details are in the server log.",
                                cause);
        };
        if (outcome == Fanout.Outcome.FAILED && !(cause instanceof FleetException)) {
            log.error("unexpected error in a fan-out task for {}", m.name(), cause);
        }
        return CommandResult.failed(m.name(), m.address(), 0, e);
    }

    /** One host: the section as before, all fields in structuredContent. */
    static CallToolResult report(List<CommandResult> results) {
        return report(results, DEFAULT_CALL_BUDGET, null);
    }

    /** What the text of one call may hold when the caller has no config at hand (max_call_output_bytes default). */
    static final int DEFAULT_CALL_BUDGET = 64 * 1024;

    /**
     * Several hosts: a line of counts, then hosts with the same outcome and output folded into one group under a host
     * set ({@code web-[1-20,25]}), largest group first, each output written once. Groups that no longer fit the call's
     * {@code budget} (text bytes) are listed with their sizes only. structuredContent holds the same groups (outputs
     * once) and one small row per host that points at its group.
     */
    static CallToolResult report(List<CommandResult> results, int budget, String runId) {
        if (results.size() == 1) {
            CommandResult r = results.get(0);
            StringBuilder text = new StringBuilder();
            appendText(text, r);
            Map<String, Object> content = new LinkedHashMap<>();
            content.put("results", List.of(toMap(r, true)));
            content.put("ok", r.ok() || r.backgroundId() != null ? 1 : 0);
            content.put("failed", r.ok() || r.backgroundId() != null ? 0 : 1);
            return Results.of(text.toString().stripTrailing(), content, !(r.ok() || r.backgroundId() != null));
        }
        List<ResultGroup> groups = ResultGroup.of(results);
        Counts c = Counts.of(results);
        StringBuilder text = new StringBuilder(c.line()).append("\n\n");
        List<Map<String, Object>> structuredGroups = new ArrayList<>();
        Map<CommandResult, Integer> groupOf = new java.util.IdentityHashMap<>();
        List<ResultGroup> omitted = new ArrayList<>();
        for (ResultGroup group : groups) {
            group.members().forEach(r -> groupOf.put(r, structuredGroups.size()));
            boolean outlier = groups.size() > 1
                    && group.members().size() == 1
                    && groups.get(0).members().size() > 1;
            StringBuilder section = new StringBuilder();
            group.appendText(section, outlier);
            // Full groups fill the budget but for room to list the ones that did not fit.
            boolean fits = omitted.isEmpty() && text.length() + section.length() <= budget - SUMMARY_ROOM;
            if (fits) {
                text.append(section);
            } else {
                omitted.add(group);
            }
            structuredGroups.add(group.toMap(fits));
        }
        appendOmitted(text, omitted, budget, runId);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (CommandResult r : results) {
            Map<String, Object> row = toMap(r, false);
            row.put("group", groupOf.get(r));
            rows.add(row);
        }
        Map<String, Object> content = new LinkedHashMap<>();
        if (runId != null) {
            content.put("command_id", runId);
        }
        content.put("hosts", results.size());
        content.put("ok", c.ok());
        content.put("non_zero", c.nonZero());
        content.put("failed", c.failed() + c.nonZero());
        content.put("errors", c.failed());
        content.put("background", c.background());
        content.put("groups", structuredGroups);
        content.put("results", rows);
        return Results.of(text.toString().stripTrailing(), content, c.ok() + c.background() < results.size());
    }

    /**
     * Groups past the budget: one line each (hosts, outcome, sizes) while that stays small, then one line for the
     * rest, so the text stays bounded at any host count.
     */
    private static void appendOmitted(StringBuilder text, List<ResultGroup> omitted, int budget, String runId) {
        if (omitted.isEmpty()) {
            return;
        }
        int listed = 0;
        for (ResultGroup g : omitted) {
            if (text.length() > budget - 1024) {
                break;
            }
            text.append("=== ")
                    .append(g.hostSet())
                    .append(" (")
                    .append(hostsWord(g.members().size()))
                    .append(") ")
                    .append(g.status())
                    .append(": output omitted (stdout ")
                    .append(g.first().stdoutBytes())
                    .append(" B, stderr ")
                    .append(g.first().stderrBytes())
                    .append(" B) ===\n");
            listed++;
        }
        if (listed < omitted.size()) {
            List<ResultGroup> rest = omitted.subList(listed, omitted.size());
            text.append("=== ")
                    .append(rest.size())
                    .append(" more groups: ")
                    .append(io.github.sshfleet.fleet.HostSet.fold(rest.stream()
                            .flatMap(g -> g.members().stream())
                            .map(CommandResult::machine)
                            .toList()))
                    .append(" (see structuredContent.groups) ===\n");
        }
        text.append("\n[")
                .append(omitted.size())
                .append(omitted.size() == 1 ? " group" : " groups")
                .append(" shown without output: the call's text is capped at max_call_output_bytes (")
                .append(budget)
                .append(" B). ")
                .append(
                        runId != null
                                ? "Each host's full result: get_command_status(command_id=\"" + runId
                                        + "\", host=\"...\")."
                                : "Run the command on fewer hosts at once to see it.")
                .append("]\n");
    }

    /** Room kept within the budget for the one-line summaries of groups whose output did not fit. */
    private static final int SUMMARY_ROOM = 6 * 1024;

    static String hostsWord(int n) {
        return n + (n == 1 ? " host" : " hosts");
    }

    /** ok, non-zero exit (or timed out / killed), failed before or while running, still running. */
    record Counts(int ok, int nonZero, int failed, int background) {
        static Counts of(List<CommandResult> results) {
            int ok = 0;
            int nonZero = 0;
            int failed = 0;
            int background = 0;
            for (CommandResult r : results) {
                if (r.backgroundId() != null) {
                    background++;
                } else if (r.ok()) {
                    ok++;
                } else if (r.failure() != null) {
                    failed++;
                } else {
                    nonZero++;
                }
            }
            return new Counts(ok, nonZero, failed, background);
        }

        String line() {
            int total = ok + nonZero + failed + background;
            return total + " hosts: " + (ok + background) + " ok, " + (nonZero + failed) + " failed"
                    + (nonZero + failed > 0
                            ? " (" + (nonZero > 0 ? nonZero + " non-zero exit" : "")
                                    + (nonZero > 0 && failed > 0 ? ", " : "")
                                    + (failed > 0 ? failed + " error" + (failed == 1 ? "" : "s") : "") + ")"
                            : "")
                    + (background > 0 ? "; " + background + " still running in the " + "background" : "");
        }
    }

    static void appendOutput(StringBuilder sb, CommandResult r) {
        if (!r.stdout().isEmpty()) {
            sb.append("--- stdout")
                    .append(r.stdoutTruncated() ? " (" + r.stdoutBytes() + " bytes, middle omitted)" : "")
                    .append(" ---\n")
                    .append(r.stdout());
            endLine(sb);
        }
        if (!r.stderr().isEmpty()) {
            sb.append("--- stderr")
                    .append(r.stderrTruncated() ? " (" + r.stderrBytes() + " bytes, middle omitted)" : "")
                    .append(" ---\n")
                    .append(r.stderr());
            endLine(sb);
        }
        if (r.failure() == null && r.stdout().isEmpty() && r.stderr().isEmpty()) {
            sb.append("(no output)\n");
        }
    }

    private static void appendText(StringBuilder sb, CommandResult r) {
        sb.append(status(r)).append(" [").append(r.machine()).append("]\n");
        if (r.failure() != null) {
            sb.append(r.failure().getMessage()).append('\n');
        }
        appendOutput(sb, r);
    }

    private static String status(CommandResult r) {
        String time = r.durationMillis() + " ms";
        if (r.backgroundId() != null) {
            return "STILL RUNNING after " + time + " as background command " + r.backgroundId() + " (get_command_status"
                    + "(command_id=\"" + r.backgroundId()
                    + "\") for new output and the exit code; interrupt_command to "
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

    /** The byte counts always; the text of stdout and stderr with their truncation flags when {@code output}. */
    static void putStreams(Map<String, Object> m, CommandResult r, boolean output) {
        if (output) {
            m.put("stdout", r.stdout());
            m.put("stderr", r.stderr());
            m.put("stdout_truncated", r.stdoutTruncated());
            m.put("stderr_truncated", r.stderrTruncated());
        }
        m.put("stdout_bytes", r.stdoutBytes());
        m.put("stderr_bytes", r.stderrBytes());
    }

    /** One host's row; with {@code output} its stdout and stderr too (single-host calls). */
    private static Map<String, Object> toMap(CommandResult r, boolean output) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", r.machine());
        m.put("address", r.address());
        m.put("exit_code", r.exitCode());
        if (r.exitSignal() != null) {
            m.put("exit_signal", r.exitSignal());
        }
        putStreams(m, r, output);
        m.put("timed_out", r.timedOut());
        m.put("duration_ms", r.durationMillis());
        if (r.backgroundId() != null) {
            m.put("running", true);
            m.put("command_id", r.backgroundId());
        }
        if (r.failure() != null) {
            m.put("error", r.failure().kind().name().toLowerCase());
            if (output) { // several hosts: the message is in the host's group, once
                m.put("message", r.failure().getMessage());
            }
        }
        return m;
    }
}
