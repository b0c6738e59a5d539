package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.files.Modes;
import io.github.sshfleet.files.RemoteWriter;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** write_file: text content put in place atomically (staged, then renamed), optionally as root with owner/mode. */
final class WriteFileTool implements ToolHandler {

    private final FleetServices fleet;
    private final RemoteWriter writer;

    WriteFileTool(FleetServices fleet) {
        this.fleet = fleet;
        this.writer = fleet.writer();
    }

    @Override
    public Spec spec() {
        return new Spec(
                "write_file",
                "Write text to a file on one machine atomically (private temp file renamed over it). An existing file keeps its mode and owner unless given; new files get 0644. sudo for root-owned paths and owner. Over 4 MiB: upload.",
                Schema.object()
                        .string("host", null, true)
                        .string("remote_path", null, true)
                        .string("content", null, true)
                        .bool("sudo", null, false)
                        .string("mode", "Octal, e.g. 0640 (default: keep; new: 0644).", false)
                        .string("owner", "user[:group]; needs sudo (default: keep).", false)
                        .integer("timeout", "Seconds before giving up (default 60).", 60)
                        .bool("append", null, false)
                        .bool("make_dirs", null, false)
                        .build(),
                false,
                true,
                false);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        String path = args.nonBlank("remote_path");
        Machine m = Guard.one(
                fleet,
                args,
                Policy.Action.write("write_file", java.util.List.of(path)).asRoot(args.bool("sudo", false)),
                progress);
        String content = args.string("content");
        String mode = args.optional("mode") == null ? null : Modes.checkMode(args.string("mode"), "mode");
        String owner = args.optional("owner") == null ? null : Modes.checkOwner(args.string("owner"));
        boolean sudo = args.bool("sudo", false);
        Duration timeout = args.seconds("timeout", Duration.ofSeconds(60), 3600);
        RemoteWriter.Options o = new RemoteWriter.Options(
                mode, "0644", owner, sudo, args.bool("append", false), args.bool("make_dirs", false), true, true);
        RemoteWriter.Written w = writer.write(m, path, content.getBytes(StandardCharsets.UTF_8), o, timeout);

        String text = (w.appended() ? "Appended " : "Wrote ") + w.bytes() + " bytes to " + w.path() + " on "
                + m.name() + (w.asRoot() ? " as root" : "") + " ("
                + (w.appended()
                        ? (w.existed() ? "existing file" : "new file")
                        : (w.existed() ? "replaced the existing file" : "new file"))
                + "; mode " + w.mode() + ", owner " + w.owner() + "; sha256 " + w.sha256() + ").";
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("host", m.name());
        s.put("path", w.path());
        s.put("bytes", w.bytes());
        s.put("existed", w.existed());
        s.put("appended", w.appended());
        s.put("mode", w.mode());
        s.put("owner", w.owner());
        s.put("sha256", w.sha256());
        s.put("as_root", w.asRoot());
        return Results.of(text, s, false);
    }
}
