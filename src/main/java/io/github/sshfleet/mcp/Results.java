package io.github.sshfleet.mcp;

import io.github.sshfleet.core.FleetException;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.Map;

/** Builders for tool results: text for the model, structuredContent for programs, isError for failures. */
public final class Results {

    private Results() {}

    public static CallToolResult text(String text) {
        return CallToolResult.builder().addTextContent(text).isError(false).build();
    }

    public static CallToolResult of(String text, Map<String, Object> structured, boolean isError) {
        return CallToolResult.builder()
                .addTextContent(text)
                .structuredContent(structured)
                .isError(isError)
                .build();
    }

    /** Text plus an image the agent can look at (PNG, base64 as MCP wants it). */
    public static CallToolResult withImage(String text, Map<String, Object> structured, byte[] png) {
        return CallToolResult.builder()
                .addTextContent(text)
                .addContent(io.modelcontextprotocol.spec.McpSchema.ImageContent.builder(
                                java.util.Base64.getEncoder().encodeToString(png), "image/png")
                        .build())
                .structuredContent(structured)
                .isError(false)
                .build();
    }

    public static CallToolResult error(FleetException e) {
        String message = FleetException.bounded(e.getMessage());
        return CallToolResult.builder()
                .addTextContent("Error: " + message)
                .structuredContent(Map.of("error", e.kind().name().toLowerCase(), "message", message))
                .isError(true)
                .build();
    }
}
