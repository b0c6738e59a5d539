package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.files.RemoteReader;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.policy.Policy;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** read_file: a remote file's text (one page of it), or a description when it is binary. */
final class ReadFileTool implements ToolHandler {

    static final int DEFAULT_MAX = 1024 * 1024;
    static final int HARD_MAX = 2 * 1024 * 1024;

    private final FleetServices fleet;
    private final RemoteReader reader;

    ReadFileTool(FleetServices fleet) {
        this.fleet = fleet;
        this.reader = fleet.reader();
    }

    @Override
    public Spec spec() {
        return new Spec(
                "read_file",
                "Read a text file on one machine over SFTP, up to max_bytes (cap 2 MiB); a longer file says its size and the offset to pass next. A binary file gives size, type and sha256 (use download). sudo reads as root.",
                Schema.object()
                        .string("host", null, true)
                        .string("remote_path", null, true)
                        .integer("max_bytes", "At most 2097152.", DEFAULT_MAX)
                        .longInteger("offset", null, 0L)
                        .bool("sudo", null, false)
                        .integer("timeout", "Seconds before giving up (default 30).", 30)
                        .build(),
                true,
                false,
                true);
    }

    @Override
    public CallToolResult call(Args args, Progress progress) {
        Machine m = Guard.one(fleet, args, Policy.Action.read("read_file"), progress);
        String path = args.nonBlank("remote_path");
        int max = args.integer("max_bytes", DEFAULT_MAX, 1, HARD_MAX);
        long offset = args.longInteger("offset", 0, 0, Long.MAX_VALUE / 2);
        boolean sudo = args.bool("sudo", false);
        Duration timeout = args.seconds("timeout", Duration.ofSeconds(30), 3600);
        RemoteReader.Page p = reader.read(m, path, offset, max, sudo, timeout);

        Map<String, Object> s = new LinkedHashMap<>();
        s.put("host", m.name());
        s.put("path", p.path());
        s.put("size", p.size());
        s.put("offset", p.offset());
        s.put("bytes", p.data().length);
        s.put("truncated", p.truncated());
        if (p.truncated()) {
            s.put("next_offset", p.nextOffset());
        }
        s.put("binary", !p.text());
        if (!p.text()) {
            s.put("type", p.type());
            s.put("sha256", p.sha256());
            String text = p.path() + " on " + m.name() + " is binary (" + p.type() + ", " + Sizes.human(p.size())
                    + (p.sha256() != null ? ", sha256 " + p.sha256() : "") + "); its bytes are not shown. Fetch it "
                    + "with download(host, remote_path, local_path), or inspect it with exec (e.g. 'file', 'xxd "
                    + "| head').";
            return Results.of(text, s, false);
        }
        StringBuilder text = new StringBuilder(p.textContent());
        if (p.truncated()) {
            long size = Math.max(p.size(), p.nextOffset());
            text.append(text.isEmpty() || text.charAt(text.length() - 1) == '\n' ? "" : "\n")
                    .append("[ssh-fleet: truncated; showed bytes ")
                    .append(p.offset())
                    .append("-")
                    .append(p.nextOffset())
                    .append(" of ")
                    .append(size)
                    .append(". Call read_file again with offset=")
                    .append(p.nextOffset())
                    .append(" for more.]");
        } else if (p.data().length == 0) {
            text.append(
                    offset > 0
                            ? "[ssh-fleet: nothing at offset " + offset + "; the file has " + p.size() + " bytes]"
                            : "[ssh-fleet: the file is empty]");
        }
        return Results.of(text.toString(), s, false);
    }
}
