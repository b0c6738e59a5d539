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

/** tmux_new: a detached tmux session, a durable terminal the agent can drive and a person can attach to. */
final class TmuxNewTool implements ToolHandler {

    private final FleetServices fleet;
    private final Tmux tmux;

    TmuxNewTool(FleetServices fleet) {
        this.fleet = fleet;
        this.tmux = TmuxArgs.tmux(fleet);
    }

    @Override
    public Spec spec() {
        return new Spec(
                "tmux_new",
                "Start a detached tmux session on one machine running `command` in `cwd`. Drive it with tmux_paste and tmux_send_keys, read it with tmux_capture and tmux_wait; a person can attach to it.",
                TmuxArgs.common(
                                TmuxArgs.hostSchema()
                                        .string("session", "Letters, digits, ._:-", true)
                                        .string("command", "Default: the user's shell.", false)
                                        .string("cwd", null, false),
                                30)
                        .build(),
                false,
                false,
                false);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Machine m = TmuxArgs.machine(
                fleet,
                args,
                progress,
                args.optional("command") == null || args.optional("command").isBlank()
                        ? Policy.Action.of("tmux_new", Policy.Kind.CONTROL)
                        : Policy.Action.command("tmux_new", args.optional("command")));
        boolean sudo = TmuxArgs.sudo(args);
        String name = tmux.newSession(
                m,
                sudo,
                args.nonBlank("session"),
                args.optional("command"),
                args.optional("cwd"),
                TmuxArgs.timeout(args, 30));
        return Results.of(
                "Started tmux session '" + name + "' on " + m.name() + (sudo ? " (root's tmux server)" : "")
                        + ". Send text with tmux_paste(target=\"" + name + "\", text=..., enter=true), read it with "
                        + "tmux_capture(target=\"" + name + "\").",
                Map.of("host", m.name(), "session", name, "root", sudo),
                false);
    }
}
