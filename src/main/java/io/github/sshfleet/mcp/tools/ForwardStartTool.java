package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.forward.Forwards;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.List;

/** forward_start: a local or remote port forward through a machine's pooled session (it opens a port). */
final class ForwardStartTool implements ToolHandler {

    private final FleetServices fleet;

    ForwardStartTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "forward_start",
                "Forward a TCP port through a machine's SSH session until forward_stop. local: listen here on bind_address:local_port (0: any free) to remote_host:remote_port as the machine sees it. remote: the machine listens on remote_host:remote_port, to bind_address:local_port here.",
                Schema.object()
                        .string("host", null, true)
                        .choice("direction", null, List.of("local", "remote"), "local")
                        .integer("local_port", "Here (local: listen, 0 = any free; remote: target).", null)
                        .string("remote_host", "As the machine sees it (local: target; remote: listen address).", true)
                        .integer("remote_port", null, null)
                        .string("bind_address", "Here; 0.0.0.0 exposes the port to your network.", false)
                        .require("local_port", "remote_port")
                        .build(),
                false,
                false,
                false);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Forwards forwards = fleet.forwards();
        Machine m = Guard.one(fleet, args, Policy.Action.of("forward_start", Policy.Kind.CONTROL), progress);
        String dir = args.string("direction", "local");
        String bind = args.optional("bind_address") == null
                ? "127.0.0.1"
                : args.string("bind_address").strip();
        if (!args.has("local_port") || !args.has("remote_port")) {
            throw FleetException.badArgument("forward_start needs local_port and remote_port.");
        }
        int localPort = args.integer("local_port", 0, 0, 65535);
        int remotePort = args.integer("remote_port", 0, 0, 65535);
        String remoteHost = args.nonBlank("remote_host");
        Forwards.Info f = dir.equals("remote")
                ? forwards.startRemote(m, remoteHost, remotePort, bind, localPort)
                : forwards.startLocal(m, bind, localPort, remoteHost, remotePort);
        String warn = bind.equals("0.0.0.0") || bind.equals("::")
                ? "\nWARNING: bound to " + bind + ": anyone who can reach this machine can use the tunnel."
                : "";
        return Results.of(
                "Started " + f.id() + " (" + f.direction() + "): " + f.listen() + " -> " + f.target()
                        + ". Stop it with forward_stop(forward_id=\"" + f.id() + "\")." + warn,
                ForwardListTool.row(f),
                false);
    }
}
