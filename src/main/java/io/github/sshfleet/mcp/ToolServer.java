package io.github.sshfleet.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;

/** Builds the MCP server from the tool list (which lives in {@link io.github.sshfleet.mcp.tools.ToolCatalog}). */
public final class ToolServer {

    static final String INSTRUCTIONS = "ssh-fleet manages many machines over SSH from one server. Start with "
            + "list_machines; pass a machine name (or a list, a glob like 'web-*', or 'all') as `host`. exec and "
            + "sudo_exec run commands in parallel over pooled connections; read_file/write_file/upload/download move files over "
            + "SFTP; run_script runs a script body without quoting trouble; shell_open/shell_run keep a (root) shell across calls; "
            + "tmux_* drive durable terminals; render_* turn output into PNG/GIF screenshots for guides. Errors say what to do next.";

    private ToolServer() {}

    /** The MCP server offering {@code tools} (from the catalog in mcp/tools) over {@code transport}. */
    public static McpSyncServer start(
            List<ToolHandler> tools,
            StdioTransport transport,
            McpJsonMapper json,
            String version,
            io.github.sshfleet.audit.AuditLog audit,
            java.time.Duration approvalTimeout) {
        ToolInputValidator validator = new ToolInputValidator();
        transport.afterHandshake(validator::prepare);
        return McpServer.sync(transport)
                .serverInfo("ssh-fleet", version)
                .instructions(INSTRUCTIONS)
                .jsonMapper(json)
                .jsonSchemaValidator(validator)
                // Requests to the client (an approval question) wait up to approval_timeout; the SDK's default is 10 s.
                .requestTimeout(approvalTimeout.plusSeconds(10))
                .capabilities(McpSchema.ServerCapabilities.builder()
                        .tools(false)
                        .logging()
                        .build())
                .tools(tools.stream()
                        .map(t -> ToolAdapter.adapt(t, transport.cancellations(), audit))
                        .toList())
                .build();
    }
}
