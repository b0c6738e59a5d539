package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.render.Renderer;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;

/** render_output (PNG/SVG) and render_gif_output: literal text drawn as a terminal screenshot; no SSH involved. */
final class RenderOutputTool implements ToolHandler {

    private final Renderer renderer;
    private final boolean gif;

    private RenderOutputTool(FleetServices fleet, boolean gif) {
        this.renderer = new Renderer(fleet.config().guideDir());
        this.gif = gif;
    }

    static RenderOutputTool png(FleetServices fleet) {
        return new RenderOutputTool(fleet, false);
    }

    static RenderOutputTool gif(FleetServices fleet) {
        return new RenderOutputTool(fleet, true);
    }

    @Override
    public Spec spec() {
        Schema s = Schema.object()
                .string("command", null, true)
                .string("stdout", "ANSI colours honoured.", false)
                .string("stderr", "In red after stdout.", false)
                .integer("exit_code", null, 0)
                .string("prompt_user", RenderArgs.shared(gif, null), false)
                .string("prompt_host", RenderArgs.shared(gif, null), false)
                .string("prompt_cwd", RenderArgs.shared(gif, null), false)
                .bool("sudo", RenderArgs.shared(gif, null), false);
        return new Spec(
                gif ? "render_gif_output" : "render_output",
                (gif
                        ? "Animate given command output as a terminal GIF: prompt, typed command, then the output batch_lines at a time. Contacts no machine. Returns path and frames. Other parameters as render_output."
                        : "Draw given command output as a terminal screenshot (PNG 1200 px, or SVG). Contacts no machine. Returns the path and the PNG."),
                RenderArgs.common(s, gif).build(),
                false,
                false,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        String command = args.string("command");
        int exit = args.integer("exit_code", 0, -1, 255);
        Renderer.Request r = new Renderer.Request(
                command,
                args.string("stdout", ""),
                args.string("stderr", ""),
                exit,
                args.string("prompt_user", "user"),
                args.string("prompt_host", "host"),
                args.string("prompt_cwd", "~"),
                args.bool("sudo", false),
                args.optional("title"),
                args.optional("output_name"),
                args.integer("max_output_lines", gif ? 50 : 200, 1, 2000));
        Renderer.Rendered done =
                gif ? renderer.renderGif(r, RenderArgs.animation(args)) : renderer.render(r, RenderArgs.format(args));
        return RenderArgs.result(done, exit, "");
    }
}
