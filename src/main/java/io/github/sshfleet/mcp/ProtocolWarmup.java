package io.github.sshfleet.mcp;

import io.github.sshfleet.core.Daemons;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.ProtocolVersions;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the JSON mapper on a second thread and runs one fake handshake (and a tool call's result) through it while
 * Main reads the config and builds the server.
 * <p>
 * Jackson builds its (de)serializers for the SDK's records on first use, by reflection: about 150 ms of CPU that
 * would otherwise sit on the path of the client's first request, after the server is built. Done here, it overlaps
 * with the server's construction on another core. Nothing it does is visible: no message is written anywhere.
 */
public final class ProtocolWarmup {

    private static final Logger log = LoggerFactory.getLogger(ProtocolWarmup.class);
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"" + ProtocolVersions.MCP_2025_11_25 + "\",\"capabilities\":{},"
            + "\"clientInfo\":{\"name\":\"warmup\",\"version\":\"0\"}}}";

    private ProtocolWarmup() {}

    /** Starts the warm-up; the future completes with the mapper as soon as it exists (before the warm-up ends). */
    public static CompletableFuture<McpJsonMapper> start() {
        CompletableFuture<McpJsonMapper> mapper = new CompletableFuture<>();
        Daemons.start("ssh-fleet-warmup", () -> {
            McpJsonMapper json;
            try {
                json = McpJsonDefaults.getMapper();
            } catch (RuntimeException | Error e) {
                mapper.completeExceptionally(e);
                return;
            }
            mapper.complete(json);
            try {
                exercise(json);
            } catch (IOException | RuntimeException e) { // only ever a lost head start, never a failure
                log.debug("protocol warm-up: {}", e.toString());
            }
        });
        return mapper;
    }

    /** The same conversions the SDK does for initialize and tools/list, on throwaway values. */
    static void exercise(McpJsonMapper json) throws IOException {
        McpSchema.JSONRPCMessage m = McpSchema.deserializeJsonRpcMessage(json, INITIALIZE);
        if (m instanceof McpSchema.JSONRPCRequest r) {
            McpSchema.InitializeRequest init =
                    json.convertValue(r.params(), new TypeRef<McpSchema.InitializeRequest>() {});
            McpSchema.InitializeResult result = McpSchema.InitializeResult.builder(
                            init.protocolVersion(),
                            McpSchema.ServerCapabilities.builder()
                                    .tools(false)
                                    .logging()
                                    .build(),
                            McpSchema.Implementation.builder("warmup", "0").build())
                    .instructions("")
                    .build();
            json.writeValueAsString(new McpSchema.JSONRPCResponse(McpSchema.JSONRPC_VERSION, r.id(), result, null));
        }
        McpSchema.Tool tool = McpSchema.Tool.builder(
                        "warmup", Map.of("type", "object", "properties", Map.of("a", Map.of("type", "string"))))
                .title("")
                .description("")
                .annotations(new McpSchema.ToolAnnotations("", true, false, true, true, null))
                .build();
        json.writeValueAsString(new McpSchema.JSONRPCResponse(
                McpSchema.JSONRPC_VERSION,
                1,
                McpSchema.ListToolsResult.builder(List.of(tool)).build(),
                null));
        json.convertValue(
                Map.of("name", "warmup", "arguments", Map.of("a", "b")), new TypeRef<McpSchema.CallToolRequest>() {});
        // A tool's result, shaped like exec's: its serializers otherwise cost the first call's reply 10-25 ms.
        json.writeValueAsString(new McpSchema.JSONRPCResponse(
                McpSchema.JSONRPC_VERSION,
                2,
                Results.of(
                        "",
                        Map.of("hosts", List.of(Map.of("exit_code", 0, "ok", true, "ms", 1L)), "took_s", 0.5),
                        false),
                null));
    }
}
