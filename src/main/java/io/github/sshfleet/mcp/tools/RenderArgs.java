package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.render.Renderer;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the four render tools share: their common arguments, the animation arguments, and the result. */
final class RenderArgs {

    /** The PNG itself goes back to the agent when it is at most this big (base64 grows it by a third). */
    static final int IMAGE_CAP = 1024 * 1024;

    private RenderArgs() {}

    static Schema common(Schema s, boolean gif) {
        s.string("title", shared(gif, null), false)
                .string("output_name", shared(gif, null), false)
                .integer("max_output_lines", shared(gif, "The rest is cut with a note."), gif ? 50 : 200);
        if (gif) {
            s.integer("line_delay_ms", null, 200)
                    .integer("hold_ms", "Last frame.", 3000)
                    .integer("prompt_hold_ms", "Empty prompt first.", 500)
                    .integer("batch_lines", "Output lines per frame.", 1);
        } else {
            s.choice("format", "png is also returned as an image.", List.of("png", "svg"), "png");
        }
        return s;
    }

    /**
     * A parameter the GIF tool shares with its still twin is described once, on the twin: the GIF tool's description
     * says so, and the whole tool list stays inside its budget (ToolSchemasTest).
     */
    static String shared(boolean gif, String description) {
        return gif ? null : description;
    }

    static Renderer.Animation animation(Args a) {
        return new Renderer.Animation(
                a.integer("line_delay_ms", 200, 10, 60_000),
                a.integer("hold_ms", 3000, 0, 60_000),
                a.integer("prompt_hold_ms", 500, 0, 60_000),
                a.integer("batch_lines", 1, 1, 1000));
    }

    static Renderer.Format format(Args a) {
        String f = a.string("format", "png").strip().toLowerCase(java.util.Locale.ROOT);
        return switch (f) {
            case "png" -> Renderer.Format.PNG;
            case "svg" -> Renderer.Format.SVG;
            default ->
                throw io.github.sshfleet.core.FleetException.badArgument("format must be png or svg, got '" + f + "'.");
        };
    }

    static CallToolResult result(Renderer.Rendered r, int exitCode, String extra) {
        String lines = r.outputLines() + " line" + (r.outputLines() == 1 ? "" : "s") + " of output"
                + (r.truncated() ? ", truncated in the image" : "");
        String text = "Rendered: " + r.path() + "  [exit_code: " + exitCode + ", " + lines + "]\n"
                + r.format().name().toLowerCase() + " " + r.width() + "x" + r.height() + ", " + Sizes.human(r.bytes())
                + (r.format() == Renderer.Format.GIF ? ", " + r.frames() + " frames" : "") + extra;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("path", r.path().toString());
        s.put("format", r.format().name().toLowerCase());
        s.put("exit_code", exitCode);
        s.put("output_lines", r.outputLines());
        s.put("truncated", r.truncated());
        s.put("width", r.width());
        s.put("height", r.height());
        s.put("bytes", r.bytes());
        s.put("frames", r.frames());
        if (r.png() != null && r.png().length <= IMAGE_CAP) {
            return Results.withImage(text, s, r.png());
        }
        return Results.of(
                text + (r.png() != null ? "\n(image too large to return inline; open the file)" : ""), s, false);
    }
}
