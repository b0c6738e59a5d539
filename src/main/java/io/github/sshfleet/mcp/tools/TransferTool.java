package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.files.Modes;
import io.github.sshfleet.files.TransferProgress;
import io.github.sshfleet.files.Transfers;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** upload and download: files and directories streamed between this machine and one host. */
final class TransferTool implements ToolHandler {

    /** A transfer fails when the server sends no SFTP reply for this long (the transfer itself may take hours). */
    private final FleetServices fleet;

    private final Transfers transfers;
    private final boolean upload;

    private TransferTool(FleetServices fleet, boolean upload) {
        this.fleet = fleet;
        this.upload = upload;
        this.transfers = fleet.transfers();
    }

    static TransferTool upload(FleetServices fleet) {
        return new TransferTool(fleet, true);
    }

    static TransferTool download(FleetServices fleet) {
        return new TransferTool(fleet, false);
    }

    private String localBase() {
        return fleet.config()
                .localRoot()
                .map(r -> "local_root (" + r + ")")
                .orElse("the server's working directory (" + Path.of("").toAbsolutePath() + ")");
    }

    @Override
    public Spec spec() {
        String common = " Over SFTP, any size, never through this conversation; symlinks are skipped and listed. "
                + "Relative local paths: " + localBase() + ".";
        if (upload) {
            return new Spec(
                    "upload",
                    "Upload a local file or directory to one machine; files land atomically, into remote_path if "
                            + "it is a directory or ends in '/'. New files take the local mode unless `mode`." + common,
                    Schema.object()
                            .string("host", null, true)
                            .string("local_path", "File or directory here.", true)
                            .string("remote_path", null, true)
                            .string("mode", "Octal, e.g. 0755.", false)
                            .bool("sudo", null, false)
                            .bool("overwrite", null, true)
                            .bool("make_dirs", null, false)
                            .build(),
                    false,
                    true,
                    true);
        }
        return new Spec(
                "download",
                "Download a remote file or directory from one machine; files land atomically, into local_path if "
                        + "it is a directory, with the remote mode minus group/other write." + common,
                Schema.object()
                        .string("host", null, true)
                        .string("remote_path", null, true)
                        .string("local_path", "File or directory here.", true)
                        .bool("overwrite", null, false)
                        .build(),
                false,
                false,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        String remote = args.nonBlank("remote_path");
        Machine m = Guard.one(
                fleet,
                args,
                upload
                        ? Policy.Action.write("upload", java.util.List.of(remote))
                                .asRoot(args.bool("sudo", false))
                        : Policy.Action.read("download"),
                progress);
        String local = args.nonBlank("local_path");
        TransferProgress p = (done, total, file) -> progress.report(
                done,
                total < 0 ? null : (double) total,
                (upload ? "uploading " : "downloading ") + file + ": " + Sizes.human(done)
                        + (total >= 0 ? " of " + Sizes.human(total) : ""));
        long start = System.nanoTime();
        Transfers.Transferred t;
        if (upload) {
            String mode = args.optional("mode") == null ? null : Modes.checkMode(args.string("mode"), "mode");
            t = transfers.upload(
                    m,
                    local,
                    remote,
                    mode,
                    args.bool("sudo", false),
                    args.bool("overwrite", true),
                    args.bool("make_dirs", false),
                    p);
        } else {
            t = transfers.download(m, remote, local, args.bool("overwrite", false), p);
        }
        long millis = Math.max(1, (System.nanoTime() - start) / 1_000_000);
        return report(m, t, millis);
    }

    private CallToolResult report(Machine m, Transfers.Transferred t, long millis) {
        String rate = Sizes.human(t.bytes() * 1000 / millis) + "/s";
        StringBuilder text = new StringBuilder(upload ? "Uploaded " : "Downloaded ");
        if (t.directory()) {
            text.append("directory: ").append(t.files()).append(" files, ").append(Sizes.human(t.bytes()));
        } else {
            text.append(Sizes.human(t.bytes())).append(t.bytes() >= 1024 ? " (" + t.bytes() + " bytes)" : "");
        }
        text.append(
                upload
                        ? " from " + t.localPath() + " to " + m.name() + ":" + t.remotePath()
                        : " from " + m.name() + ":" + t.remotePath() + " to " + t.localPath());
        text.append(" in ").append(millis).append(" ms (").append(rate).append(")");
        text.append(t.asRoot() ? " as root" : "").append(".\n");
        if (t.sha256() != null) {
            text.append("sha256: ").append(t.sha256()).append('\n');
        }
        if (t.mode() != null && !t.directory()) {
            text.append("mode: ").append(t.mode()).append('\n');
        }
        text.append(
                t.directory()
                        ? t.replaced() + " existing file(s) replaced."
                        : t.replaced() > 0 ? "Replaced an existing file." : "New file (nothing was replaced).");
        if (!t.skipped().isEmpty()) {
            text.append("\nSkipped ").append(t.skipped().size()).append(":");
            t.skipped().stream().limit(50).forEach(s -> text.append("\n  ").append(s));
            if (t.skipped().size() > 50) {
                text.append("\n  [... ").append(t.skipped().size() - 50).append(" more]");
            }
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("host", m.name());
        s.put("local_path", t.localPath());
        s.put("remote_path", t.remotePath());
        s.put("directory", t.directory());
        s.put("files", t.files());
        s.put("bytes", t.bytes());
        s.put("sha256", t.sha256());
        s.put("replaced", t.replaced());
        s.put("skipped", t.skipped().stream().limit(50).toList());
        s.put("duration_ms", millis);
        return Results.of(text.toString(), s, false);
    }
}
