package io.github.sshfleet.mcp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Deferred set-up starts when the client has its tool list, or calls a tool; not on anything before that. */
class HandshakeTest {

    static McpSchema.JSONRPCRequest request(String method, Object id) {
        return new McpSchema.JSONRPCRequest(McpSchema.JSONRPC_VERSION, method, id, Map.of());
    }

    static McpSchema.JSONRPCResponse response(Object id) {
        return new McpSchema.JSONRPCResponse(McpSchema.JSONRPC_VERSION, id, Map.of(), null);
    }

    @Test
    void theToolListReplyEndsTheHandshake() throws Exception {
        Handshake h = new Handshake();
        CountDownLatch ran = new CountDownLatch(1);
        h.add(ran::countDown);
        h.saw(request(McpSchema.METHOD_INITIALIZE, 1));
        h.sent(response(1));
        h.saw(request(McpSchema.METHOD_TOOLS_LIST, 2));
        h.sent(response(7)); // some other reply
        assertFalse(ran.await(300, TimeUnit.MILLISECONDS), "nothing starts before the tool list is answered");
        h.sent(response(2));
        assertTrue(ran.await(5, TimeUnit.SECONDS));

        CountDownLatch late = new CountDownLatch(1);
        h.add(late::countDown); // after the handshake: starts at once
        assertTrue(late.await(5, TimeUnit.SECONDS));
    }

    @Test
    void aToolCallFirstEndsItToo() throws Exception {
        Handshake h = new Handshake();
        CountDownLatch ran = new CountDownLatch(2);
        h.add(ran::countDown);
        h.add(ran::countDown);
        h.saw(request(McpSchema.METHOD_TOOLS_CALL, "a"));
        assertTrue(ran.await(5, TimeUnit.SECONDS), "every queued task ran");
    }
}
