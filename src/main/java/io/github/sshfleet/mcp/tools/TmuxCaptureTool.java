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

/** tmux_capture: what a pane shows (and its recent history). */
final class TmuxCaptureTool implements ToolHandler {

    private final FleetServices fleet;
    private final Tmux tmux;

    TmuxCaptureTool(FleetServices fleet) {
        this.fleet = fleet;
        this.tmux = TmuxArgs.tmux(fleet);
    }

    @Override
    public Spec spec() {
        return new Spec(
                "tmux_capture",
                "The last `lines` lines of a tmux pane (screen and scrollback), wrapped lines joined.",
                TmuxArgs.common(
                                TmuxArgs.hostSchema()
                                        .string("target", null, true)
                                        .integer("lines", null, 200),
                                20)
                        .build(),
                true,
                false,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Machine m = TmuxArgs.machine(fleet, args, progress, Policy.Action.read("tmux_capture"));
        String target = args.nonBlank("target");
        String pane = tmux.capture(
                m,
                TmuxArgs.sudo(args),
                target,
                args.integer("lines", 200, 1, 5000),
                fleet.config().maxOutputBytes(),
                TmuxArgs.timeout(args, 20));
        return Results.of(
                pane.isEmpty() ? "(the pane is empty)" : pane,
                Map.of("host", m.name(), "target", target, "pane", pane),
                false);
    }
}
