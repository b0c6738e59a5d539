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
import java.util.Map;

/** tmux_kill: ends a tmux session and everything running in it. */
final class TmuxKillTool implements ToolHandler {

    private final FleetServices fleet;
    private final Tmux tmux;

    TmuxKillTool(FleetServices fleet) {
        this.fleet = fleet;
        this.tmux = TmuxArgs.tmux(fleet);
    }

    @Override
    public Spec spec() {
        return new Spec(
                "tmux_kill",
                "Kill a tmux session on one machine and everything running in it.",
                TmuxArgs.common(TmuxArgs.hostSchema().string("target", null, true), 20)
                        .build(),
                false,
                true,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Machine m = TmuxArgs.machine(fleet, args, progress, Policy.Action.of("tmux_kill", Policy.Kind.CONTROL));
        String target = args.nonBlank("target");
        tmux.kill(m, TmuxArgs.sudo(args), target, TmuxArgs.timeout(args, 20));
        return Results.of(
                "Killed tmux session " + target + " on " + m.name() + ".",
                Map.of("host", m.name(), "target", target, "killed", true),
                false);
    }
}
