package io.github.sshfleet.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sshfleet.core.FleetException;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The warm-up leaves Jackson with every serializer a first tool call's reply needs, so the reply builds none. */
class ProtocolWarmupTest {

    @Test
    void aToolResultAfterTheWarmUpBuildsNoSerializer() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(mapper);
        ProtocolWarmup.exercise(json);
        int warmed = ((com.fasterxml.jackson.databind.ser.DefaultSerializerProvider) mapper.getSerializerProvider())
                .cachedSerializersCount();
        assertTrue(warmed > 0, "the warm-up serialized something");

        for (McpSchema.CallToolResult r : List.of(
                Results.of(
                        "web-1: exit 0",
                        Map.of(
                                "hosts",
                                List.of(Map.of("host", "web-1", "exit_code", 0, "ok", true, "ms", 12L)),
                                "took_s",
                                0.01),
                        false),
                Results.error(FleetException.badArgument("exec: argument 'command' is required.")))) {
            json.writeValueAsString(new McpSchema.JSONRPCResponse(McpSchema.JSONRPC_VERSION, 7, r, null));
        }
        assertEquals(
                warmed,
                ((com.fasterxml.jackson.databind.ser.DefaultSerializerProvider) mapper.getSerializerProvider())
                        .cachedSerializersCount());
    }
}
