package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.mcp.ToolHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every tool ssh-fleet offers, by group, and the one place a tool is added. The handlers are package-private: other
 * packages (the MCP server, tests) get them from here as {@link ToolHandler}s.
 */
public final class ToolCatalog {

    private ToolCatalog() {}

    /** Every tool, by group (see {@link io.github.sshfleet.config.FleetConfig#TOOL_GROUPS}); "core" is always on. */
    public static Map<String, List<ToolHandler>> groups(FleetServices fleet) {
        Map<String, List<ToolHandler>> g = new LinkedHashMap<>();
        g.put(
                "core",
                List.of(
                        new ListMachinesTool(fleet),
                        new AddHostTool(fleet),
                        new ReloadMachinesTool(fleet),
                        new DisconnectTool(fleet)));
        g.put("exec", List.of(ExecTool.exec(fleet), ExecTool.sudoExec(fleet), new ExecReadonlyTool(fleet)));
        g.put(
                "async",
                List.of(
                        new ExecuteCommandAsyncTool(fleet),
                        new GetCommandStatusTool(fleet),
                        new InterruptCommandTool(fleet),
                        CommandListsTool.running(fleet),
                        CommandListsTool.history(fleet)));
        g.put(
                "files",
                List.of(
                        new ReadFileTool(fleet),
                        new ListDirTool(fleet),
                        new WriteFileTool(fleet),
                        TransferTool.upload(fleet),
                        TransferTool.download(fleet),
                        new RunScriptTool(fleet)));
        g.put(
                "shell",
                List.of(
                        new ShellOpenTool(fleet),
                        new ShellRunTool(fleet),
                        new ShellCloseTool(fleet),
                        new ShellListTool(fleet)));
        g.put(
                "tmux",
                List.of(
                        new TmuxNewTool(fleet),
                        new TmuxListTool(fleet),
                        new TmuxCaptureTool(fleet),
                        new TmuxWaitTool(fleet),
                        new TmuxPasteTool(fleet),
                        new TmuxSendKeysTool(fleet),
                        new TmuxKillTool(fleet)));
        g.put("sync", List.of(new SyncTool(fleet)));
        g.put("forward", List.of(new ForwardStartTool(fleet), new ForwardListTool(fleet), new ForwardStopTool(fleet)));
        g.put(
                "render",
                List.of(
                        RenderCommandTool.png(fleet),
                        RenderOutputTool.png(fleet),
                        RenderCommandTool.gif(fleet),
                        RenderOutputTool.gif(fleet),
                        new RenderTmuxTool(fleet)));
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

    /** One tool by its MCP name, whether or not its group is switched on (tests, and tools that call tools). */
    public static ToolHandler find(FleetServices fleet, String name) {
        return groups(fleet).values().stream()
                .flatMap(List::stream)
                .filter(t -> t.spec().name().equals(name))
                .findFirst()
                .orElseThrow(() -> FleetException.badArgument("no tool named " + FleetException.quote(name)));
    }
}
