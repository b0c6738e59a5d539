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

/** tmux_send_keys: control keys (C-c, Enter, Up...) into a pane; text goes through tmux_paste. */
final class TmuxSendKeysTool implements ToolHandler {

    private final FleetServices fleet;
    private final Tmux tmux;

    TmuxSendKeysTool(FleetServices fleet) {
        this.fleet = fleet;
        this.tmux = TmuxArgs.tmux(fleet);
    }

    @Override
    public Spec spec() {
        return new Spec(
                "tmux_send_keys",
                "Send key tokens to a tmux pane: C-c, Enter, Escape, Tab, Up, PageUp, F5, M-x... Text goes through tmux_paste.",
                TmuxArgs.common(
                                TmuxArgs.hostSchema()
                                        .string("target", null, true)
                                        .string("keys", "e.g. 'C-c' or 'Up Enter'.", true),
                                20)
                        .build(),
                false,
                true,
                false);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Machine m = TmuxArgs.machine(fleet, args, progress, Policy.Action.of("tmux_send_keys", Policy.Kind.KEYS));
        String target = args.nonBlank("target");
        String keys = args.nonBlank("keys");
        tmux.sendKeys(m, TmuxArgs.sudo(args), target, keys, TmuxArgs.timeout(args, 20));
        return Results.of(
                "Sent " + keys.strip() + " to " + target + " on " + m.name() + ".",
                Map.of("host", m.name(), "target", target, "keys", keys.strip()),
                false);
    }
}
