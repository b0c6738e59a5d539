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

    /** command_timeout; sudo_exec gets at least the reference's 60 s (sudo and root work tend to take longer). */
    private Duration defaultTimeout() {
        Duration configured = fleet.config().commandTimeout();
        Duration sudoFloor = Duration.ofSeconds(60);
        return sudo && configured.compareTo(sudoFloor) < 0 ? sudoFloor : configured;
    }

    @Override
    public Spec spec() {
        int defaultTimeout = (int) defaultTimeout().toSeconds();
        String what = sudo
                ? "Run a shell command as root (sudo) on one or more machines. The machine's password is given to "
                + "sudo only if it asks (never on the command line); NOPASSWD sudo works too. "
                : "Run a shell command on one or more machines as the configured user. ";
        String description = what + "Runs in a login shell (bash -l -c) over a pooled SSH connection. `host` is a "
                + "machine name or IP, a list, a glob like 'web-*', or 'all': hosts run in parallel, one section per "
                + "host. Returns exit code, stdout and stderr (kept apart, each capped with head and tail kept), and "
                + "duration; the call is an error if any host fails or exits non-zero. stdin is empty. On timeout the "
                + "remote command is killed and partial output returned.";
        return new Spec(sudo ? "sudo_exec" : "exec", sudo ? "Run command as root" : "Run command", description,
                Schema.object()
                        .hosts("host", "Machine name or IP, a list of them, a glob ('web-*'), or 'all'.")
                        .string("command", "Shell command line, e.g. 'df -h /'.", true)
                        .integer("timeout", "Seconds before the command is killed (default " + defaultTimeout + ").",
                                1, MAX_TIMEOUT_SECONDS, defaultTimeout)
                        .build(),
                false, true, false);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        String command = args.nonBlank("command");
        Duration timeout = args.seconds("timeout", defaultTimeout(), MAX_TIMEOUT_SECONDS);
        List<Machine> machines = fleet.machines().select(args.raw("host"));
        int cap = CommandReport.perStreamCap(fleet.config().maxOutputBytes(), machines.size());
        List<CommandResult> results = fleet.fanout().run(machines,
                m -> fleet.runner().run(m, command, timeout, sudo, cap));
        return CommandReport.report(results);
    }
}
