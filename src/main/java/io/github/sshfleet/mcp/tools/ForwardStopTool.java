package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.forward.Forwards;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;

/** forward_stop: closes a forward's listener and its connections; reports what it moved. */
final class ForwardStopTool implements ToolHandler {

    private final FleetServices fleet;

    ForwardStopTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "forward_stop",
                "Stop a port forward from forward_start: its listener and connections close. Reports the bytes moved.",
                Schema.object().string("forward_id", null, true).build(),
                false,
                true,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Forwards forwards = fleet.forwards();
        Forwards.Info f = forwards.stop(args.nonBlank("forward_id"));
        return Results.of(
                "Stopped " + f.id() + " (" + f.listen() + " -> " + f.target() + ")"
                        + (f.counted()
                                ? "; it moved " + Sizes.human(f.bytesOut()) + " out and " + Sizes.human(f.bytesIn())
                                        + " in over " + Sizes.count(f.connections(), "connection") + "."
                                : "."),
                ForwardListTool.row(f),
                false);
    }
}
