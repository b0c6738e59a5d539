package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.github.sshfleet.render.Renderer;
import io.github.sshfleet.ssh.CommandResult;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;

/** render_command (PNG/SVG) and render_gif: run a command on a machine (exec or sudo_exec), draw what it printed. */
final class RenderCommandTool implements ToolHandler {

    /** Output kept per stream for drawing; far more than max_output_lines can show. */
    private static final int CAPTURE_BYTES = 512 * 1024;

    private final FleetServices fleet;
    private final Renderer renderer;
    private final boolean gif;

    private RenderCommandTool(FleetServices fleet, boolean gif) {
        this.fleet = fleet;
        this.renderer = new Renderer(fleet.config().guideDir());
        this.gif = gif;
    }

    static RenderCommandTool png(FleetServices fleet) {
        return new RenderCommandTool(fleet, false);
    }

    static RenderCommandTool gif(FleetServices fleet) {
        return new RenderCommandTool(fleet, true);
    }

    @Override
    public Spec spec() {
        Schema s = Schema.object()
                .string("host", null, true)
                .string("command", null, true)
                .bool("sudo", RenderArgs.shared(gif, "Via sudo_exec, 'sudo ' on the prompt."), true)
                .integer("timeout", RenderArgs.shared(gif, null), 60)
                .string("prompt_cwd", RenderArgs.shared(gif, null), false);
        return new Spec(
                gif ? "render_gif" : "render_command",
                (gif
                        ? "Run a command on one machine and draw it as a terminal GIF, output appearing batch_lines at a time; stderr in red after stdout. Returns path, exit code, frames. Other parameters as render_command."
                        : "Run a command on one machine and draw a terminal screenshot (PNG 1200 px, or SVG); stderr in red after stdout. Returns path, exit code and the PNG."),
                RenderArgs.common(s, gif).build(),
                false,
                true,
                false);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        String command = args.nonBlank("command");
        Machine m = Guard.one(
                fleet, args, Policy.Action.command(spec().name(), command).asRoot(args.bool("sudo", true)), progress);
        boolean sudo = args.bool("sudo", true);
        Duration timeout = args.seconds("timeout", Duration.ofSeconds(60), 3600);
        Renderer.Format format = gif ? Renderer.Format.GIF : RenderArgs.format(args);
        CommandResult c = fleet.runner().run(m, command, timeout, sudo, CAPTURE_BYTES);
        if (c.failure() != null) {
            throw c.failure();
        }
        if (c.timedOut()) {
            throw new FleetException(
                    FleetException.Kind.TIMEOUT,
                    "the command ran past " + timeout.toSeconds()
                            + " s on " + m.name()
                            + " and was stopped; nothing was rendered. Raise timeout, or render a "
                            + "quicker command.");
        }
        int exit = c.exitCode() == null ? -1 : c.exitCode();
        Renderer.Request r = new Renderer.Request(
                command,
                c.stdout(),
                c.stderr(),
                exit,
                m.username(),
                m.name(),
                args.string("prompt_cwd", "~"),
                sudo,
                args.optional("title"),
                args.optional("output_name"),
                args.integer("max_output_lines", gif ? 50 : 200, 1, 2000));
        Renderer.Rendered done = gif ? renderer.renderGif(r, RenderArgs.animation(args)) : renderer.render(r, format);
        return RenderArgs.result(
                done,
                exit,
                c.stdoutTruncated() || c.stderrTruncated()
                        ? "\n(the output was larger than " + CAPTURE_BYTES / 1024
                                + " KiB per stream; its middle was cut " + "before drawing)"
                        : "");
    }
}
