package io.github.sshfleet.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;

/** Builds the MCP server from the tool list (which lives in {@link io.github.sshfleet.mcp.tools.ToolCatalog}). */
public final class ToolServer {

    /**
     * Said once here rather than in every schema: what `host`, `target`, the units and the render defaults mean.
     * Clients put these instructions before the tool list, so the tool list does not repeat them 20 times.
     */
    static final String INSTRUCTIONS = "ssh-fleet manages many machines over SSH from one server. Start with "
            + "list_machines. In every tool: `host` is a machine name or IP from it (where a list is allowed, also a "
            + "glob like 'web-*', @group or 'all'); timeout, interval and async_after are seconds. tmux_* and "
            + "render_tmux: `target` is a session, session:window.pane or pane id (%3), and sudo picks root's tmux "
            + "server (false: the login user's). render_*: files go to guide_output_dir, named from the command and "
            + "time unless output_name; the prompt defaults to user@host:~ and the title to 'user@host: cwd'. "
            + "exec/sudo_exec run commands in parallel over pooled connections; read_file/write_file/upload/download "
            + "move files over SFTP; run_script runs a script body without quoting trouble; shell_open/shell_run "
            + "keep a (root) shell across calls; tmux_* drive durable terminals. Errors say what to do next.";

    private ToolServer() {}

    /** The MCP server offering {@code tools} (from the catalog in mcp/tools) over {@code transport}. */
    public static McpSyncServer start(
            List<ToolHandler> tools,
            StdioTransport transport,
            McpJsonMapper json,
            String version,
            io.github.sshfleet.audit.AuditLog audit,
            java.time.Duration approvalTimeout) {
        return McpServer.sync(transport)
                .serverInfo("ssh-fleet", version)
                .instructions(INSTRUCTIONS)
                .jsonMapper(json)
                // Each call's arguments are checked by ToolAdapter (ArgumentCheck), which says why in the tool's terms;
                // the SDK's slot gets the same check, so the SDK's own validator (networknt) is never built.
                .validateToolInputs(false)
                .jsonSchemaValidator(new ToolInputValidator())
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
