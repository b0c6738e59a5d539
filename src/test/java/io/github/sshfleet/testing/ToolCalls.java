package io.github.sshfleet.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.mcp.tools.ToolCatalog;
import io.github.sshfleet.ssh.CommandResult;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Calling tools in-process as a client would (no person to ask: Progress.NONE), and reading what they return. */
public final class ToolCalls {

    private ToolCalls() {}

    /** {@code kv}: argument name, value, name, value, ... */
    public static CallToolResult call(ToolHandler tool, Object... kv) {
        Map<String, Object> args = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            args.put((String) kv[i], kv[i + 1]);
        }
        return tool.call(new Args(tool.spec().name(), args), Progress.NONE);
    }

    public static CallToolResult call(FleetServices fleet, String tool, Object... kv) {
        return call(ToolCatalog.find(fleet, tool), kv);
    }

    public static String text(CallToolResult r) {
        return ((TextContent) r.content().get(0)).text();
    }

    /** A fan-out's rows by host, each with its group's output merged in. */
    public static Map<String, Map<String, Object>> byHost(CallToolResult r) {
        return Folded.hosts(r.structuredContent()).stream()
                .collect(Collectors.toMap(h -> (String) h.get("host"), h -> h));
    }

    /** Runs a set-up or check command as root on {@code host} below the tools (no policy), failing the test if it fails. */
    public static String asRoot(FleetServices fleet, String host, String command) {
        CommandResult r =
                fleet.runner().run(fleet.machines().one(host), command, Duration.ofSeconds(30), true, 1 << 20);
        assertTrue(r.ok(), () -> "setup command failed: " + command + " -> " + r);
        return r.stdout().strip();
    }

    public static boolean exists(FleetServices fleet, String host, String path) {
        return asRoot(fleet, host, "test -e " + path + " && echo yes || echo no")
                .equals("yes");
    }
}
