package io.github.sshfleet.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StdioTransportTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void concurrentSendsNeverInterleaveOrFail() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StdioTransport t =
                new StdioTransport(McpJsonDefaults.getMapper(), new java.io.ByteArrayInputStream(new byte[0]), out);
        ExecutorService ex = Executors.newFixedThreadPool(16);
        String payload = "x".repeat(3000) + "\n\"quoted\" \u00e9";
        for (int thread = 0; thread < 16; thread++) {
            int th = thread;
            ex.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    t.write(new McpSchema.JSONRPCNotification(
                            McpSchema.JSONRPC_VERSION,
                            "notifications/progress",
                            Map.of("progressToken", th + "-" + i, "progress", i, "message", payload)));
                }
            });
        }
        ex.shutdown();
        assertTrue(ex.awaitTermination(30, TimeUnit.SECONDS));
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(16 * 200, lines.length);
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            assertEquals(payload, n.get("params").get("message").asText());
        }
    }

    @Test
    void aMalformedLineGetsAParseErrorAndTheServerKeepsServing() throws Exception {
        // NIO pipes: java.io.Piped* streams break when the thread that last wrote ends, and the SDK writes from pools.
        Pipe toServer = Pipe.open();
        Pipe toClient = Pipe.open();
        OutputStream clientOut = Channels.newOutputStream(toServer.sink());
        InputStream serverIn = Channels.newInputStream(toServer.source());
        OutputStream serverOut = Channels.newOutputStream(toClient.sink());
        InputStream clientIn = Channels.newInputStream(toClient.source());
        StdioTransport transport = new StdioTransport(McpJsonDefaults.getMapper(), serverIn, serverOut);
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("t", "1")
                .capabilities(
                        McpSchema.ServerCapabilities.builder().tools(false).build())
                .build();
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(clientIn, StandardCharsets.UTF_8));
            // A tool call before initialize is refused at once, not held and run later.
            send(clientOut, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}");
            JsonNode early = JSON.readTree(reader.readLine());
            assertEquals(7, early.get("id").asInt());
            assertEquals(
                    McpSchema.ErrorCodes.INVALID_REQUEST,
                    early.at("/error/code").asInt());
            assertTrue(early.at("/error/message").asText().contains("send initialize first"), early.toString());
            send(
                    clientOut,
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                            + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
            assertEquals(
                    "2025-11-25",
                    JSON.readTree(reader.readLine())
                            .at("/result/protocolVersion")
                            .asText());
            send(clientOut, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            send(clientOut, "this is not json");
            List<JsonNode> replies = new ArrayList<>();
            replies.add(JSON.readTree(reader.readLine()));
            assertEquals(
                    McpSchema.ErrorCodes.PARSE_ERROR,
                    replies.get(0).at("/error/code").asInt());
            send(clientOut, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
            assertEquals(2, JSON.readTree(reader.readLine()).get("id").asInt());
            clientOut.close();
            assertTrue(transport.awaitInputEnd(5, TimeUnit.SECONDS), "EOF on stdin is noticed");
        } finally {
            server.close();
        }
    }

    private static void send(OutputStream out, String line) throws Exception {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
