package io.github.sshfleet.mcp.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.FleetServices;
import io.github.sshfleet.forward.Forwards;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;

/**
 * forward_start, forward_list and forward_stop: separate tools, so a client can ask permission for starting a forward
 * (it opens a port) while listing stays harmless.
 */
public final class ForwardTools implements ToolHandler {

    private enum Kind { START, LIST, STOP }

    private final FleetServices fleet;
    private final Kind kind;

    private ForwardTools(FleetServices fleet, Kind kind) {
        this.fleet = fleet;
        this.kind = kind;
    }

    public static ForwardTools start(FleetServices fleet) {
        return new ForwardTools(fleet, Kind.START);
    }

    public static ForwardTools list(FleetServices fleet) {
        return new ForwardTools(fleet, Kind.LIST);
    }

    public static ForwardTools stop(FleetServices fleet) {
        return new ForwardTools(fleet, Kind.STOP);
    }

    @Override
    public Spec spec() {
        return switch (kind) {
            case START -> new Spec("forward_start", "Start port forward",
                    "Forward a TCP port through a machine's SSH connection; it stays up across calls until "
                            + "forward_stop (or shutdown). local: listen here on bind_address:local_port (loopback by "
                            + "default; 0 picks a free port) and connect to remote_host:remote_port as seen from the "
                            + "machine (e.g. a database bound to its 127.0.0.1). remote: the machine's sshd listens on "
                            + "remote_host:remote_port and connections come to bind_address:local_port here.",
                    Schema.object()
                            .string("host", "Machine name or IP (one machine).", true)
                            .choice("direction", "local or remote.", List.of("local", "remote"), "local")
                            .integer("local_port", "Port on this machine (local: listen, 0 = any free; remote: "
                                    + "target).", 0, 65535, null)
                            .string("remote_host", "Host as seen from the machine (local: target; remote: listen "
                                    + "address), e.g. 127.0.0.1.", true)
                            .integer("remote_port", "Port on the machine's side.", 0, 65535, null)
                            .string("bind_address", "Address here (default 127.0.0.1; 0.0.0.0 exposes the port to "
                                    + "your network).", false)
                            .require("local_port", "remote_port")
                            .build(),
                    false, false, false);
            case LIST -> new Spec("forward_list", "List port forwards",
                    "List active port forwards: id, machine, direction, endpoints, connections and bytes moved (local "
                            + "forwards).", Schema.object().build(), true, false, true);
            case STOP -> new Spec("forward_stop", "Stop port forward", "Stop a port forward started with "
                    + "forward_start: its listener closes and its open connections end. Reports the bytes it moved.",
                    Schema.object().string("forward_id", "The id from forward_start, e.g. fwd-2.", true).build(),
                    false, true, true);
        };
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Forwards forwards = fleet.forwards();
        return switch (kind) {
            case START -> {
                Machine m = fleet.machines().one(args.nonBlank("host"));
                String dir = args.string("direction", "local");
                String bind = args.optional("bind_address") == null ? "127.0.0.1" : args.string("bind_address").strip();
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
                        ? "\nWARNING: bound to " + bind + ": anyone who can reach this machine can use the tunnel." : "";
                yield Results.of("Started " + f.id() + " (" + f.direction() + "): " + f.listen() + " -> " + f.target()
                        + ". Stop it with forward_stop(forward_id=\"" + f.id() + "\")." + warn, row(f), false);
            }
            case LIST -> {
                List<Forwards.Info> all = forwards.list();
                StringBuilder text = new StringBuilder(all.isEmpty() ? "No port forwards." : all.size()
                        + " port forward(s):\n");
                List<Map<String, Object>> rows = new ArrayList<>();
                for (Forwards.Info f : all) {
                    text.append(f.id()).append("  ").append(f.direction()).append("  ").append(f.listen())
                            .append(" -> ").append(f.target()).append(f.counted() ? "  " + Sizes.count(f.connections(),
                                    "connection") + " (" + f.active() + " open), " + Sizes.human(f.bytesOut()) + " out, "
                                    + Sizes.human(f.bytesIn()) + " in" : "").append('\n');
                    rows.add(row(f));
                }
                yield Results.of(text.toString().stripTrailing(), Map.of("forwards", rows), false);
            }
            case STOP -> {
                Forwards.Info f = forwards.stop(args.nonBlank("forward_id"));
                yield Results.of("Stopped " + f.id() + " (" + f.listen() + " -> " + f.target() + ")"
                        + (f.counted() ? "; it moved " + Sizes.human(f.bytesOut()) + " out and "
                        + Sizes.human(f.bytesIn()) + " in over " + Sizes.count(f.connections(), "connection") + "." : "."),
                        row(f), false);
            }
        };
    }

    private static Map<String, Object> row(Forwards.Info f) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("forward_id", f.id());
        r.put("host", f.host());
        r.put("direction", f.direction());
        r.put("listen", f.listen());
        r.put("target", f.target());
        r.put("connections", f.connections());
        r.put("bytes_out", f.bytesOut());
        r.put("bytes_in", f.bytesIn());
        r.put("bytes_counted", f.counted());
        return r;
    }
}
