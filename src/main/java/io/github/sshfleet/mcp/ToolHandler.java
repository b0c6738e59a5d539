package io.github.sshfleet.mcp;

import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.Map;

/**
 * One MCP tool. Implementations throw {@link io.github.sshfleet.core.FleetException} for expected failures and let
 * {@link ToolAdapter} turn them (and bugs) into results; they never build error results themselves.
 */
public interface ToolHandler {

    /** Name, description and hints as the client sees them. */
    record Spec(
            String name,
            String description,
            Map<String, Object> inputSchema,
            boolean readOnly,
            boolean destructive,
            boolean idempotent) {}

    Spec spec();

    /** Runs the call. {@code progress} sends notifications when the client asked for them (a no-op otherwise). */
    CallToolResult call(Args args, Progress progress);
}
