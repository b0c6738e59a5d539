package io.github.sshfleet.mcp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.mcp.tools.AddHostTool;
import io.github.sshfleet.mcp.tools.CommandListsTool;
import io.github.sshfleet.mcp.tools.ExecTool;
import io.github.sshfleet.mcp.tools.ExecuteCommandAsyncTool;
import io.github.sshfleet.mcp.tools.ForwardTools;
import io.github.sshfleet.mcp.tools.GetCommandStatusTool;
import io.github.sshfleet.mcp.tools.InterruptCommandTool;
import io.github.sshfleet.mcp.tools.ListMachinesTool;
import io.github.sshfleet.mcp.tools.ReadFileTool;
import io.github.sshfleet.mcp.tools.RenderCommandTool;
import io.github.sshfleet.mcp.tools.RenderOutputTool;
import io.github.sshfleet.mcp.tools.RunScriptTool;
import io.github.sshfleet.mcp.tools.ShellCloseTool;
import io.github.sshfleet.mcp.tools.ShellListTool;
import io.github.sshfleet.mcp.tools.ShellOpenTool;
import io.github.sshfleet.mcp.tools.ShellRunTool;
import io.github.sshfleet.mcp.tools.SyncTool;
import io.github.sshfleet.mcp.tools.TmuxCaptureTool;
import io.github.sshfleet.mcp.tools.TmuxKillTool;
import io.github.sshfleet.mcp.tools.TmuxListTool;
import io.github.sshfleet.mcp.tools.TmuxNewTool;
import io.github.sshfleet.mcp.tools.TmuxPasteTool;
import io.github.sshfleet.mcp.tools.TmuxSendKeysTool;
import io.github.sshfleet.mcp.tools.TmuxWaitTool;
import io.github.sshfleet.mcp.tools.TransferTool;
import io.github.sshfleet.mcp.tools.WriteFileTool;
import io.github.sshfleet.mcp.tools.ReloadMachinesTool;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;

/** Builds the MCP server: the tool list lives here and only here. */
public final class ToolServer {

    static final String INSTRUCTIONS = "ssh-fleet manages many machines over SSH from one server. Start with "
            + "list_machines; pass a machine name (or a list, a glob like 'web-*', or 'all') as `host`. exec and "
            + "sudo_exec run commands in parallel over pooled connections; read_file/write_file/upload/download move files over "
            + "SFTP; run_script runs a script body without quoting trouble; shell_open/shell_run keep a (root) shell across calls; "
            + "tmux_* drive durable terminals; render_* turn output into PNG/GIF screenshots for guides. Errors say what to do next.";

    private ToolServer() {}

    /** Every tool, by group (see {@link io.github.sshfleet.config.FleetConfig#TOOL_GROUPS}); "core" is always on. */
    static Map<String, List<ToolHandler>> groups(FleetServices fleet) {
        Map<String, List<ToolHandler>> g = new LinkedHashMap<>();
        g.put("core", List.of(new ListMachinesTool(fleet), new AddHostTool(fleet), new ReloadMachinesTool(fleet)));
        g.put("exec", List.of(ExecTool.exec(fleet), ExecTool.sudoExec(fleet)));
        g.put("async", List.of(new ExecuteCommandAsyncTool(fleet), new GetCommandStatusTool(fleet),
                new InterruptCommandTool(fleet), CommandListsTool.running(fleet), CommandListsTool.history(fleet)));
        g.put("files", List.of(new ReadFileTool(fleet), new WriteFileTool(fleet), TransferTool.upload(fleet),
                TransferTool.download(fleet), new RunScriptTool(fleet)));
        g.put("shell", List.of(new ShellOpenTool(fleet), new ShellRunTool(fleet), new ShellCloseTool(fleet),
                new ShellListTool(fleet)));
        g.put("tmux", List.of(new TmuxNewTool(fleet), new TmuxListTool(fleet), new TmuxCaptureTool(fleet),
                new TmuxWaitTool(fleet), new TmuxPasteTool(fleet), new TmuxSendKeysTool(fleet),
                new TmuxKillTool(fleet)));
        g.put("sync", List.of(new SyncTool(fleet)));
        g.put("forward", List.of(ForwardTools.start(fleet), ForwardTools.list(fleet), ForwardTools.stop(fleet)));
        g.put("render", List.of(RenderCommandTool.png(fleet), RenderOutputTool.png(fleet),
                RenderCommandTool.gif(fleet), RenderOutputTool.gif(fleet)));
        return g;
    }

    /** The tools this server offers: every group not switched off with `tools:` in config.yaml. */
    public static List<ToolHandler> tools(FleetServices fleet) {
        List<ToolHandler> on = new ArrayList<>();
        groups(fleet).forEach((group, tools) -> {
            if (!fleet.config().disabledTools().contains(group)) {
                on.addAll(tools);
            }
        });
        return on;
    }

    public static McpSyncServer start(FleetServices fleet, StdioTransport transport, McpJsonMapper json, String version) {
        ToolInputValidator validator = new ToolInputValidator();
        transport.afterHandshake(validator::prepare);
        return McpServer.sync(transport)
                .serverInfo("ssh-fleet", version)
                .instructions(INSTRUCTIONS)
                .jsonMapper(json)
                .jsonSchemaValidator(validator)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).logging().build())
                .tools(tools(fleet).stream().map(t -> ToolAdapter.adapt(t, transport.cancellations())).toList())
                .build();
    }
}
