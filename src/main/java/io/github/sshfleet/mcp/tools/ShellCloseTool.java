package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.Map;

/** shell_close: ends a persistent shell. */
final class ShellCloseTool implements ToolHandler {

    private final FleetServices fleet;

    ShellCloseTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "shell_close",
                "Close a shell from shell_open (ends what runs in it).",
                Schema.object().string("session_id", null, true).build(),
                false,
                true,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        String id = args.nonBlank("session_id");
        fleet.shells().close(id);
        return Results.of("Closed " + id + ".", Map.of("session_id", id, "closed", true), false);
    }
}
