package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.files.Sync;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** sync: copy only what changed between a local and a remote directory, one way. */
final class SyncTool implements ToolHandler {

    private final FleetServices fleet;
    private final Sync sync;

    SyncTool(FleetServices fleet) {
        this.fleet = fleet;
        this.sync = fleet.sync();
    }

    @Override
    public Spec spec() {
        return new Spec(
                "sync",
                "One-way sync of a directory tree between here and one machine over SFTP: copies files missing or differing in size and mtime (sha256 with checksum), deletes extras with delete, skips exclude globs. dry_run only lists.",
                Schema.object()
                        .string("host", null, true)
                        .choice("direction", "upload: here -> machine.", List.of("upload", "download"), "upload")
                        .string("source", "Local for upload, remote for download.", true)
                        .string("destination", "Created if missing.", true)
                        .bool("delete", null, false)
                        .stringList("exclude", null)
                        .bool("dry_run", null, false)
                        .bool("checksum", null, false)
                        .build(),
                false,
                true,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        boolean upload = args.string("direction", "upload").equals("upload");
        Machine m = Guard.one(
                fleet,
                args,
                upload
                        ? Policy.Action.write("sync", java.util.List.of(args.nonBlank("destination")))
                        : Policy.Action.read("sync"),
                progress);
        Sync.Report r = sync.run(
                m,
                upload,
                args.nonBlank("source"),
                args.nonBlank("destination"),
                args.bool("delete", false),
                args.stringList("exclude"),
                args.bool("dry_run", false),
                args.bool("checksum", false),
                (done, total, file) -> progress.report(done, (double) total, "syncing " + file));
        StringBuilder text = new StringBuilder(r.dryRun() ? "Dry run (nothing changed): would copy " : "Copied ")
                .append(r.copied())
                .append(" file(s), ")
                .append(Sizes.human(r.bytes()))
                .append("; ")
                .append(r.dryRun() ? "would delete " : "deleted ")
                .append(r.deleted())
                .append("; ")
                .append(r.unchanged())
                .append(" unchanged; ")
                .append(r.excluded())
                .append(" excluded.");
        r.changes().stream().limit(100).forEach(c -> text.append("\n  ").append(c));
        if (r.changes().size() > 100) {
            text.append("\n  [... ").append(r.changes().size() - 100).append(" more]");
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("host", m.name());
        s.put("dry_run", r.dryRun());
        s.put("copied", r.copied());
        s.put("bytes", r.bytes());
        s.put("deleted", r.deleted());
        s.put("unchanged", r.unchanged());
        s.put("excluded", r.excluded());
        s.put("changes", r.changes().stream().limit(100).toList());
        return Results.of(text.toString(), s, false);
    }
}
