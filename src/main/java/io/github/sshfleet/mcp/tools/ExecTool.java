package io.github.sshfleet.mcp.tools;

import java.time.Duration;
import java.util.List;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.ssh.CommandRunner;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;

/** exec: a command on one or many machines, in parallel, over pooled sessions. sudo_exec is the same with sudo. */
public final class ExecTool implements ToolHandler {

    static final int MAX_TIMEOUT_SECONDS = 24 * 3600;

    private final FleetServices fleet;
    private final boolean sudo;

    private ExecTool(FleetServices fleet, boolean sudo) {
        this.fleet = fleet;
        this.sudo = sudo;
    }

    public static ExecTool exec(FleetServices fleet) {
        return new ExecTool(fleet, false);
    }

    public static ExecTool sudoExec(FleetServices fleet) {
        return new ExecTool(fleet, true);
    }

    @Override
    public Spec spec() {
        String what = sudo
                ? "Run a shell command as root (sudo) on one or more machines. The machine's password is given to "
                + "sudo only if it asks (never on the command line); NOPASSWD sudo works too. "
                : "Run a shell command on one or more machines as the configured user. ";
        String description = what + "Runs in a login shell (bash -l -c) over a pooled SSH connection. `host` is a "
                + "machine name or IP, a list, a glob like 'web-*', or 'all': hosts run in parallel, one section per "
                + "host. Returns exit code, stdout and stderr (kept apart, each capped with head and tail kept), and "
                + "duration; the call is an error if any host fails or exits non-zero. stdin is empty. Never hangs: "
                + "a command still running after async_after seconds (default " + fleet.config().asyncAfter()
                .toSeconds() + ") keeps running in the background and the call returns its command id and the output "
                + "so far (follow it with get_command_status, stop it with interrupt_command). Give `timeout` to kill "
                + "it for real at that point instead.";
        return new Spec(sudo ? "sudo_exec" : "exec", sudo ? "Run command as root" : "Run command", description,
                Schema.object()
                        .hosts("host", "Machine name or IP, a list of them, a glob ('web-*'), or 'all'.")
                        .string("command", "Shell command line, e.g. 'df -h /'.", true)
                        .integer("timeout", "Hard limit: seconds after which the command is killed (default: none; "
                                + "it goes to the background after async_after).", 1, MAX_TIMEOUT_SECONDS, null)
                        .integer("async_after", "Seconds to wait before returning a background command id (default "
                                + fleet.config().asyncAfter().toSeconds() + ").", 1, MAX_TIMEOUT_SECONDS, null)
                        .build(),
                false, true, false);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        String command = args.nonBlank("command");
        CommandRunner.checkSize(command); // once for the call, not once per host
        Duration hard = args.has("timeout") ? args.seconds("timeout", fleet.config().commandTimeout(), MAX_TIMEOUT_SECONDS) : null;
        Duration asyncAfter = args.seconds("async_after", fleet.config().asyncAfter(), MAX_TIMEOUT_SECONDS);
        if (hard != null && !args.has("async_after") && hard.compareTo(asyncAfter) > 0) {
            asyncAfter = hard.plusSeconds(5); // an explicit timeout means "wait for it, up to that long"
        }
        List<Machine> machines = fleet.machines().select(args.raw("host"));
        int cap = CommandReport.perStreamCap(fleet.config().maxOutputBytes(), machines.size());
        Waiter waiter = new Waiter(fleet, progress, asyncAfter, machines.size());
        List<CommandResult> results = fleet.fanout().run(machines, m -> waiter.runOn(m, command, hard, sudo, cap),
                CommandReport::unfinished);
        return CommandReport.report(results);
    }
}
