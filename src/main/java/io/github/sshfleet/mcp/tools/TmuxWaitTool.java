package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.github.sshfleet.tmux.Tmux;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** tmux_wait: poll a pane until text (or a regex) shows up. */
final class TmuxWaitTool implements ToolHandler {

    private final FleetServices fleet;
    private final Tmux tmux;

    TmuxWaitTool(FleetServices fleet) {
        this.fleet = fleet;
        this.tmux = TmuxArgs.tmux(fleet);
    }

    @Override
    public Spec spec() {
        Schema s = TmuxArgs.hostSchema()
                .string("target", null, true)
                .string("pattern", null, true)
                .bool("regex", "Java syntax.", false)
                .bool("sudo", null, true)
                .integer("timeout", null, 60)
                .number("interval", "At least 0.1.", 1.0)
                .integer("lines", null, 200);
        return new Spec(
                "tmux_wait",
                "Poll a tmux pane until `pattern` appears in its last `lines` lines, or timeout. Returns MATCHED with the line or TIMEOUT, and the pane tail.",
                s.build(),
                true,
                false,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Machine m = TmuxArgs.machine(fleet, args, progress, Policy.Action.read("tmux_wait"));
        String target = args.nonBlank("target");
        String raw = args.string("pattern");
        if (raw.isEmpty()) {
            throw FleetException.badArgument("tmux_wait: pattern is empty.");
        }
        Pattern pattern;
        try {
            pattern = args.bool("regex", false) ? Pattern.compile(raw) : Pattern.compile(Pattern.quote(raw));
        } catch (PatternSyntaxException e) {
            throw FleetException.badArgument("tmux_wait: pattern is not a valid regular expression: "
                    + e.getDescription() + " near index " + e.getIndex() + ". Pass regex: false to match it as text.");
        }
        long intervalMs = Math.round(args.decimal("interval", 1.0, 0.1, 60) * 1000);
        int lines = args.integer("lines", 200, 1, 5000);
        Duration timeout = args.seconds("timeout", Duration.ofSeconds(60), 3600);
        Tmux.Waited w = tmux.waitFor(
                m,
                TmuxArgs.sudo(args),
                target,
                pattern,
                timeout,
                Duration.ofMillis(intervalMs),
                lines,
                fleet.config().maxOutputBytes());
        String head = w.matched()
                ? "MATCHED after " + w.millis() + " ms: " + w.line()
                : "TIMEOUT after " + w.millis() + " ms (" + w.polls() + " polls): '" + raw + "' did not appear";
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("matched", w.matched());
        s.put("line", w.line());
        s.put("pane", w.pane());
        s.put("elapsed_ms", w.millis());
        return Results.of(head + "\n--- pane ---\n" + w.pane(), s, false);
    }
}
