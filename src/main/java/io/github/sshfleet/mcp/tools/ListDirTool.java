package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.files.DirListing;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** list_dir: a bounded, sorted SFTP directory listing, so an agent need not parse `ls` output. */
final class ListDirTool implements ToolHandler {

    static final int DEFAULT_MAX = 500;
    static final int HARD_MAX = 5000;

    private final FleetServices fleet;

    ListDirTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "list_dir",
                "List a directory on one machine over SFTP, sorted by name: type, size, mode, owner, group, mtime, "
                        + "symlink target. Bounded by max_entries (the total is always given).",
                Schema.object()
                        .string("host", null, true)
                        .string("path", null, true)
                        .bool("long", "false: names only.", true)
                        .bool("all", "Dot files too.", false)
                        .integer("max_entries", "At most 5000.", DEFAULT_MAX)
                        .integer("timeout", null, 30)
                        .build(),
                true,
                false,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Machine m = Guard.one(fleet, args, Policy.Action.read("list_dir"), progress);
        String path = args.nonBlank("path");
        boolean longForm = args.bool("long", true);
        int max = args.integer("max_entries", DEFAULT_MAX, 1, HARD_MAX);
        Duration timeout = args.seconds("timeout", Duration.ofSeconds(30), 3600);
        DirListing.Listing l = fleet.dirs().list(m, path, args.bool("all", false), max, timeout);

        StringBuilder text = new StringBuilder();
        text.append(l.path())
                .append(" on ")
                .append(m.name())
                .append(": ")
                .append(l.totalIsLowerBound() ? "at least " : "")
                .append(l.total())
                .append(l.total() == 1 ? " entry" : " entries");
        if (l.truncated()) {
            text.append(", the first ").append(l.entries().size()).append(" by name (raise max_entries for more)");
        }
        text.append('\n');
        List<Map<String, Object>> rows = new ArrayList<>();
        for (DirListing.Entry e : l.entries()) {
            if (longForm) {
                text.append(e.perms())
                        .append(' ')
                        .append(e.owner())
                        .append(' ')
                        .append(e.group())
                        .append(' ')
                        .append(e.size())
                        .append(' ')
                        .append(e.mtime())
                        .append(' ')
                        .append(e.name())
                        .append(e.target() != null ? " -> " + e.target() : "")
                        .append('\n');
            } else {
                text.append(e.name()).append(e.type().equals("dir") ? "/" : "").append('\n');
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", e.name());
            r.put("type", e.type());
            if (longForm) {
                r.put("size", e.size());
                r.put("mode", e.mode());
                r.put("owner", e.owner());
                r.put("group", e.group());
                r.put("mtime", e.mtime());
                if (e.target() != null) {
                    r.put("target", e.target());
                }
            }
            rows.add(r);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("host", m.name());
        s.put("path", l.path());
        s.put("total", l.total());
        s.put("truncated", l.truncated());
        s.put("entries", rows);
        return Results.of(text.toString(), s, false);
    }
}
