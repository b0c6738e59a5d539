package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.ssh.CommandRunner;
import io.github.sshfleet.ssh.ExecOptions;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** exec: a command on one or many machines, in parallel, over pooled sessions. sudo_exec is the same with sudo. */
final class ExecTool implements ToolHandler {

    static final int MAX_TIMEOUT_SECONDS = 24 * 3600;

    private final FleetServices fleet;
    private final boolean sudo;

    private ExecTool(FleetServices fleet, boolean sudo) {
        this.fleet = fleet;
        this.sudo = sudo;
    }

    static ExecTool exec(FleetServices fleet) {
        return new ExecTool(fleet, false);
    }

    static ExecTool sudoExec(FleetServices fleet) {
        return new ExecTool(fleet, true);
    }

    // Long on purpose: the tool schema: one line per parameter an agent sees.
    @Override
    public Spec spec() {
        long asyncSeconds = fleet.config().asyncAfter().toSeconds();
        String waiting = background()
                ? "Still running after async_after: it goes on in the background and the call returns its id for "
                        + "get_command_status."
                : "Background commands are off: still running after timeout (" + asyncSeconds + " s), it is killed.";
        // sudo_exec points at exec rather than repeating it: both are in every tools/list an agent reads.
        String description = sudo
                ? "exec as root: sudo reads the password from stdin only if it asks. Hosts, folding, output and "
                        + "options as exec" + (background() ? "." : ". " + waiting)
                : "Run a command in a login shell on machines, in parallel; "
                        + "identical results fold into one host set after a line of counts. Per host: exit code, "
                        + "stdout, stderr (capped, head and tail kept), duration. stdin is empty. " + waiting;
        Schema schema = Schema.object()
                .hosts("host", "One or more: name, IP, glob (web-*), @group, 'all'.")
                .string("command", null, true)
                .integer(
                        "timeout",
                        background() ? "Kill after (default: none)." : null,
                        background() ? null : (int) asyncSeconds);
        // sudo_exec's options mean what exec's do; its description says so instead of every agent paying twice.
        schema.string("cwd", sudo ? null : "Must exist (default: login directory).", false)
                .stringMap("env", sudo ? null : "Values are secrets: never in argv, masked.");
        if (!sudo) { // a PTY and sudo's password prompt do not mix: shell_open gives a root terminal
            schema.bool("tty", "A PTY; stdout and stderr merge.", false);
        }
        schema.choice(
                        "strategy",
                        sudo ? null : "rolling: batches in order.",
                        List.of("parallel", "rolling"),
                        "parallel")
                .integer("batch_size", null, 1)
                .bool("stop_on_error", sudo ? null : "rolling: stop before the next batch on a failure.", true);
        if (background()) {
            schema.integer("async_after", sudo ? null : "Then return a background command id.", (int) asyncSeconds);
        }
        return new Spec(sudo ? "sudo_exec" : "exec", description, schema.build(), false, true, false);
    }

    /**
     * Batches in order; with {@code stopOnError}, a batch in which any host failed, exited non-zero or is still running
     * in the background ends the run, and every later host gets a section saying it was not started.
     */
    private static List<CommandResult> rolling(
            List<Machine> machines,
            int batchSize,
            boolean stopOnError,
            java.util.function.Function<List<Machine>, List<CommandResult>> run) {
        List<CommandResult> all = new java.util.ArrayList<>();
        String stoppedBy = null;
        for (int i = 0; i < machines.size(); i += batchSize) {
            List<Machine> batch = machines.subList(i, Math.min(machines.size(), i + batchSize));
            if (stoppedBy != null) {
                for (Machine m : batch) {
                    all.add(CommandResult.failed(
                            m.name(),
                            m.address(),
                            0,
                            new io.github.sshfleet.core.FleetException(
                                    io.github.sshfleet.core.FleetException.Kind.CANCELLED,
                                    "not started: the rolling run " + "stopped after " + stoppedBy
                                            + " (stop_on_error). Nothing ran on " + m.name() + ".")));
                }
                continue;
            }
            List<CommandResult> done = run.apply(batch);
            all.addAll(done);
            if (stopOnError) {
                List<String> bad = done.stream()
                        .filter(r -> !r.ok())
                        .map(CommandResult::machine)
                        .toList();
                if (!bad.isEmpty()) {
                    stoppedBy = "batch " + (i / batchSize + 1) + " (" + String.join(", ", bad) + " did not succeed)";
                }
            }
        }
        return all;
    }

    /**
     * Whether long commands may go to the background: not when the async tools are switched off, since nothing
     * could then follow or stop them. Then a command is waited for up to its timeout and killed there.
     */
    private boolean background() {
        return !fleet.config().disabledTools().contains("async");
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        return run(args, progress, Policy.Kind.COMMAND);
    }

    /** {@code kind}: what the policy is asked about for each host (exec_readonly's proven command is a READ). */
    CallToolResult run(Args args, Progress progress, Policy.Kind kind) {
        String command = args.nonBlank("command");
        Policy.Action action = new Policy.Action(args.tool(), kind, command, List.of());
        Map<String, String> env = args.stringMap("env");
        io.github.sshfleet.files.ScriptRunner.check(env, null); // names and values, as run_script's env
        String cwd = args.optional("cwd");
        ExecOptions options = new ExecOptions(cwd == null || cwd.isBlank() ? null : cwd, args.bool("tty", false), null);
        CommandRunner.checkOptions(options, sudo); // once for the call, not once per host
        CommandRunner.checkSize(command);
        Duration hard = args.has("timeout") || !background()
                ? args.seconds("timeout", fleet.config().asyncAfter(), MAX_TIMEOUT_SECONDS)
                : null;
        Duration asyncAfter = background()
                ? args.seconds("async_after", fleet.config().asyncAfter(), MAX_TIMEOUT_SECONDS)
                : hard.plusSeconds(5);
        if (hard != null && !args.has("async_after") && hard.compareTo(asyncAfter) > 0) {
            asyncAfter = hard.plusSeconds(5); // an explicit timeout means "wait for it, up to that long"
        }
        List<Machine> machines = fleet.machines().select(args.raw("host"));
        int cap = CommandReport.perStreamCap(fleet.config().maxOutputBytes(), machines.size());
        Waiter waiter = new Waiter(fleet, progress, asyncAfter, machines.size());
        // Every host decided before any runs: refused ones get their own section, and one question covers the rest.
        Map<Machine, io.github.sshfleet.core.FleetException> refused =
                Guard.decide(fleet, machines, action.asRoot(sudo).withEnv(env.keySet()), progress);
        java.util.function.Function<List<Machine>, List<CommandResult>> runBatch = batch -> fleet.fanout()
                .run(
                        batch,
                        m -> refused.containsKey(m)
                                ? CommandResult.failed(m.name(), m.address(), 0, refused.get(m))
                                : waiter.runOn(m, command, hard, sudo, cap, options, env),
                        CommandReport::unfinished);
        List<CommandResult> results = "rolling".equals(args.string("strategy", "parallel"))
                ? rolling(
                        machines, args.integer("batch_size", 1, 1, 10_000), args.bool("stop_on_error", true), runBatch)
                : runBatch.apply(machines);
        String runId = machines.size() > 1 ? fleet.fanoutResults().record(results) : null;
        return CommandReport.report(results, fleet.config().maxCallOutputBytes(), runId);
    }
}
