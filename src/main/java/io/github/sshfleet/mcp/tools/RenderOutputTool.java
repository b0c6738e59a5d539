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
                .string("command", "The command shown on the prompt line.", true)
                .string("stdout", "Its standard output (ANSI colours are honoured).", false)
                .string("stderr", "Its standard error, drawn in red after stdout.", false)
                .integer("exit_code", "Exit code to report (default 0).", -1, 255, 0)
                .string("prompt_user", "User on the prompt (default 'user').", false)
                .string("prompt_host", "Host on the prompt (default 'host').", false)
                .string("prompt_cwd", "Directory on the prompt (default '~').", false)
                .bool("sudo", "Show a yellow 'sudo ' before the command (nothing is run).", false);
        return new Spec(
                gif ? "render_gif_output" : "render_output",
                gif ? "Render text as terminal GIF" : "Render text as terminal screenshot",
                (gif
                                ? "Animate literal command output as a terminal GIF: the prompt, the command typed, then the "
                                        + "output appearing batch_lines at a time. "
                                : "Draw literal command output as a macOS-style terminal screenshot (PNG 1200 px wide, "
                                        + "Catppuccin Mocha). ")
                        + "No machine is contacted. Writes the file to guide_output_dir and returns its path"
                        + (gif ? ", frame count and size." : "; the PNG is also returned as an image."),
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
