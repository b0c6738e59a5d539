package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.config.ConfigProblem;
import io.github.sshfleet.fleet.MachineStore;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** reload_machines: re-read the hosts file and metadata; report what changed; drop stale sessions. */
final class ReloadMachinesTool implements ToolHandler {

    private final FleetServices fleet;

    ReloadMachinesTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "reload_machines",
                "Re-read the hosts file and metadata: reports added, removed, changed machines and bad lines; closes connections whose address or credentials changed, keeps temporary machines, retries failed hosts at once.",
                Schema.object().build(),
                false,
                false,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        MachineStore.ReloadResult r = fleet.machines().reload();
        fleet.pool().clearFailures(); // the operator may have fixed the machine: try every one again at once
        StringBuilder text = new StringBuilder("Reloaded ")
                .append(fleet.config().authFile())
                .append(": ")
                .append(fleet.machines().machines().size())
                .append(" machines. ");
        text.append(describe("added", r.added()))
                .append(describe("removed", r.removed()))
                .append(describe("changed", r.changed()));
        if (r.added().isEmpty() && r.removed().isEmpty() && r.changed().isEmpty()) {
            text.append("No changes.");
        }
        if (!r.problems().isEmpty()) {
            text.append("\nProblems:");
            r.problems().forEach(p -> text.append("\n- ").append(p));
        }
        r.metadataWarnings().forEach(w -> text.append("\nWarning: ").append(w));
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("added", r.added());
        structured.put("removed", r.removed());
        structured.put("changed", r.changed());
        structured.put(
                "problems", r.problems().stream().map(ConfigProblem::toString).toList());
        structured.put("metadata_warnings", r.metadataWarnings());
        return Results.of(text.toString().strip(), structured, false);
    }

    private static String describe(String what, List<String> names) {
        return names.isEmpty() ? "" : what + ": " + String.join(", ", names) + ". ";
    }
}
