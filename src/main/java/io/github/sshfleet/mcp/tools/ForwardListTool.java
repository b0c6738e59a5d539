package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.forward.Forwards;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** forward_list: the active forwards with their byte counts (harmless: read-only). */
final class ForwardListTool implements ToolHandler {

    private final FleetServices fleet;

    ForwardListTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "forward_list",
                "Active port forwards: id, machine, direction, endpoints, connections, bytes moved.",
                Schema.object().build(),
                true,
                false,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Forwards forwards = fleet.forwards();
        List<Forwards.Info> all = forwards.list();
        StringBuilder text =
                new StringBuilder(all.isEmpty() ? "No port forwards." : all.size() + " port forward(s):\n");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Forwards.Info f : all) {
            text.append(f.id())
                    .append("  ")
                    .append(f.direction())
                    .append("  ")
                    .append(f.listen())
                    .append(" -> ")
                    .append(f.target())
                    .append(
                            f.counted()
                                    ? "  " + Sizes.count(f.connections(), "connection") + " (" + f.active() + " open), "
                                            + Sizes.human(f.bytesOut()) + " out, "
                                            + Sizes.human(f.bytesIn()) + " in"
                                    : "")
                    .append('\n');
            rows.add(row(f));
        }
        return Results.of(text.toString().stripTrailing(), Map.of("forwards", rows), false);
    }

    /** One forward as structured content; shared by the three forward tools. */
    static Map<String, Object> row(Forwards.Info f) {
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
