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

/** tmux_paste: text into a pane through a staged tmux buffer. */
final class TmuxPasteTool implements ToolHandler {

    private final FleetServices fleet;
    private final Tmux tmux;

    TmuxPasteTool(FleetServices fleet) {
        this.fleet = fleet;
        this.tmux = TmuxArgs.tmux(fleet);
    }

    @Override
    public Spec spec() {
        return new Spec(
                "tmux_paste",
                "Paste text into a tmux pane as if typed, through a private file and a tmux buffer: nothing needs escaping. Each newline presses Enter; enter: once more at the end.",
                TmuxArgs.common(
                                TmuxArgs.hostSchema()
                                        .string("target", null, true)
                                        .string("text", null, true)
                                        .bool("enter", null, false),
                                20)
                        .build(),
                false,
                true,
                false);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Machine m = TmuxArgs.machine(fleet, args, progress, Policy.Action.command("tmux_paste", args.string("text")));
        String target = args.nonBlank("target");
        String text = args.string("text");
        boolean enter = args.bool("enter", false);
        tmux.paste(m, TmuxArgs.sudo(args), target, text, enter, TmuxArgs.timeout(args, 20));
        return Results.of(
                "Pasted " + text.length() + " characters into " + target + " on " + m.name()
                        + (enter ? " and pressed Enter" : "") + ". Read the result with tmux_capture or tmux_wait.",
                Map.of("host", m.name(), "target", target, "chars", text.length(), "enter", enter),
                false);
    }
}
