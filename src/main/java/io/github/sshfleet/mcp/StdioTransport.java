package io.github.sshfleet.mcp;

import io.github.sshfleet.core.Daemons;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Newline-delimited JSON-RPC over stdin/stdout. Used instead of the SDK's StdioServerTransportProvider because that
 * one (2.0.1) fails concurrent sends with "Failed to enqueue message" (a result racing a progress notification from
 * another thread) and stops reading for good after one malformed line. Here every message is serialized and
 * written under one lock, so any thread may send at any time, and a bad line gets a JSON-RPC parse error reply.
 */
public final class StdioTransport implements McpServerTransportProvider {

    private static final Logger log = LoggerFactory.getLogger(StdioTransport.class);

    private final McpJsonMapper json;
    private final InputStream in;
    private final OutputStream out;
    private final Object writeLock = new Object();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch inputEnded = new CountDownLatch(1);
    private volatile McpServerSession session;
    private final Cancellations cancellations = new Cancellations();
    private final Handshake handshake = new Handshake();
    private boolean initializeSeen; // read and written on the stdin thread only

    public StdioTransport(McpJsonMapper json, InputStream in, OutputStream out) {
        this.json = json;
        this.in = in;
        this.out = out;
    }

    @Override
    public void setSessionFactory(McpServerSession.Factory factory) {
        this.session = factory.create(new SessionTransport());
        handshake.startFallbackTimer();
        Daemons.start("ssh-fleet-stdin", this::readLoop);
    }

    /** Where cancellations of in-flight tool calls are routed. */
    public Cancellations cancellations() {
        return cancellations;
    }

    /**
     * Runs {@code task} on its own thread once the client has the tool list (or calls a tool, or {@link
     * Handshake#FALLBACK} after the session started, whichever comes first). For set-up that tools need and the
     * handshake does not: done earlier it would share the CPU with the handshake and delay it.
     */
    public void afterHandshake(Runnable task) {
        handshake.add(task);
    }

    private volatile Runnable onMessage = () -> {};

    /** Runs {@code r} on the stdin thread for every message the client sends (Main's idle trim counts them). */
    public void onMessage(Runnable r) {
        this.onMessage = r;
    }

    /** Blocks until stdin reaches EOF (the client went away) or the timeout passes; true if it ended. */
    public boolean awaitInputEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return inputEnded.await(timeout, unit);
    }

    private void readLoop() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while (!closing.get() && (line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                onMessage.run();
                McpSchema.JSONRPCMessage message;
                try {
                    message = McpSchema.deserializeJsonRpcMessage(json, line);
                } catch (IOException | RuntimeException e) {
                    log.warn(
                            "unparseable message on stdin ({}); replied with a parse error",
                            e.getMessage() == null
                                    ? e
                                    : e.getMessage().lines().findFirst().orElse(""));
                    writeParseError();
                    continue;
                }
                if (message instanceof McpSchema.JSONRPCNotification n
                        && "notifications/cancelled".equals(n.method())) {
                    Map<?, ?> p = n.params() instanceof Map<?, ?> m ? m : Map.of();
                    cancellations.cancel(
                            p.get("requestId"),
                            p.get("reason") == null ? null : p.get("reason").toString());
                    continue; // handled here: the SDK has no handler for it
                }
                if (refusedBeforeInitialize(message)) {
                    continue;
                }
                handshake.saw(message);
                message = tagToolCall(message);
                McpSchema.JSONRPCMessage toHandle = message;
                try {
                    session.handle(toHandle)
                            .subscribe(null, e -> log.warn("handling {} failed: {}", describe(toHandle), e.toString()));
                } catch (RuntimeException e) { // one bad message must never stop the reader
                    log.warn("handling {} failed: {}", describe(message), e.toString());
                }
            }
        } catch (IOException e) {
            if (!closing.get()) {
                log.warn("reading stdin failed: {}", e.toString());
            }
        } finally {
            closing.set(true);
            inputEnded.countDown();
        }
    }

    /**
     * A request other than initialize or ping before the client has sent initialize gets an error at once. The SDK
     * would hold it and run it later, when the client may long have given up on it (a tool call executed minutes
     * after it was sent is worse than one refused).
     */
    private boolean refusedBeforeInitialize(McpSchema.JSONRPCMessage message) {
        if (!(message instanceof McpSchema.JSONRPCRequest r)) {
            return false;
        }
        if (McpSchema.METHOD_INITIALIZE.equals(r.method())) {
            initializeSeen = true;
            return false;
        }
        if (initializeSeen || McpSchema.METHOD_PING.equals(r.method())) {
            return false;
        }
        log.warn("{} before initialize: refused", describe(r));
        write(McpSchema.JSONRPCResponse.error(
                r.id(),
                new McpSchema.JSONRPCResponse.JSONRPCError(
                        McpSchema.ErrorCodes.INVALID_REQUEST,
                        "ssh-fleet: send initialize first (" + r.method()
                                + " arrived before the MCP handshake); nothing was run")));
        return true;
    }

    /** Puts a tools/call's JSON-RPC id into its _meta, so the handler can be found when the client cancels it. */
    @SuppressWarnings("unchecked")
    private static McpSchema.JSONRPCMessage tagToolCall(McpSchema.JSONRPCMessage m) {
        if (!(m instanceof McpSchema.JSONRPCRequest r)
                || !McpSchema.METHOD_TOOLS_CALL.equals(r.method())
                || !(r.params() instanceof Map<?, ?> params)) {
            return m;
        }
        Map<String, Object> p = new java.util.LinkedHashMap<>((Map<String, Object>) params);
        Map<String, Object> meta = p.get("_meta") instanceof Map<?, ?> old
                ? new java.util.LinkedHashMap<>((Map<String, Object>) old)
                : new java.util.LinkedHashMap<>();
        meta.put(Cancellations.REQUEST_ID, r.id());
        p.put("_meta", meta);
        return new McpSchema.JSONRPCRequest(r.jsonrpc(), r.method(), r.id(), p);
    }

    private static String describe(McpSchema.JSONRPCMessage m) {
        if (m instanceof McpSchema.JSONRPCRequest r) {
            return r.method() + " #" + r.id();
        }
        if (m instanceof McpSchema.JSONRPCNotification n) {
            return n.method();
        }
        return "response";
    }

    /**
     * JSON-RPC wants "id": null on a parse error; the SDK's response type refuses a null id, so this one reply is
     * written by hand.
     */
    private void writeParseError() {
        writeLine("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":" + McpSchema.ErrorCodes.PARSE_ERROR
                + ",\"message\":\"Parse error: not a JSON-RPC message\"}}");
    }

    /** Serialize outside the lock, write one line inside it: messages never interleave, whichever thread sends. */
    void write(McpSchema.JSONRPCMessage message) {
        String text;
        try {
            text = json.writeValueAsString(message);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize " + describe(message), e);
        }
        writeLine(text);
        handshake.sent(message);
    }

    private void writeLine(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            try {
                out.write(bytes);
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                if (closing.compareAndSet(false, true)) {
                    log.info("stdout closed ({}); the client has gone", e.getMessage());
                }
            }
        }
    }

    @Override
    public Mono<Void> notifyClients(String method, Object params) {
        McpServerSession s = session;
        return s == null ? Mono.error(new IllegalStateException("no session")) : s.sendNotification(method, params);
    }

    @Override
    public Mono<Void> closeGracefully() {
        McpServerSession s = session;
        return s == null ? Mono.empty() : s.closeGracefully();
    }

    private final class SessionTransport implements McpServerTransport {
        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
            return Mono.fromRunnable(() -> write(message));
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
            return json.convertValue(data, typeRef);
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.fromRunnable(this::close);
        }

        @Override
        public void close() {
            closing.set(true);
        }
    }
}
