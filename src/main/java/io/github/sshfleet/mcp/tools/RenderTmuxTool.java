package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.github.sshfleet.render.Renderer;
import io.github.sshfleet.tmux.Tmux;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;

/**
 * render_tmux: a screenshot of a live tmux pane with its colours (capture-pane -e through the same renderer as
 * render_output), for guides that show a full-screen program: htop, an installer's TUI, a REPL.
 */
final class RenderTmuxTool implements ToolHandler {

    private final FleetServices fleet;
    private final Tmux tmux;
    private final Renderer renderer;

    RenderTmuxTool(FleetServices fleet) {
        this.fleet = fleet;
        this.tmux = TmuxArgs.tmux(fleet);
        this.renderer = new Renderer(fleet.config().guideDir());
    }

    @Override
    public Spec spec() {
        Schema s = TmuxArgs.common(
                TmuxArgs.hostSchema().string("target", null, true).integer("lines", null, 50), 20);
        return new Spec(
                "render_tmux",
                "Draw a live tmux pane with its colours as a terminal screenshot (PNG, or SVG). Returns the path and the PNG.",
                RenderArgs.common(s, false).build(),
                true,
                false,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Machine m = TmuxArgs.machine(fleet, args, progress, Policy.Action.read("render_tmux"));
        String target = args.nonBlank("target");
        boolean sudo = TmuxArgs.sudo(args);
        int lines = args.integer("lines", 50, 1, 2000);
        String pane =
                tmux.capture(m, sudo, target, lines, fleet.config().maxOutputBytes(), TmuxArgs.timeout(args, 20), true);
        Renderer.Request r = new Renderer.Request(
                "tmux attach -t " + target,
                pane,
                "",
                0,
                sudo ? "root" : m.username(),
                m.name(),
                "~",
                false,
                args.optional("title"),
                args.optional("output_name"),
                args.integer("max_output_lines", lines, 1, 2000));
        return RenderArgs.result(renderer.render(r, RenderArgs.format(args)), 0, "");
    }
}
