package io.github.sshfleet.mcp;

import io.github.sshfleet.core.Daemons;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices the end of the MCP handshake (the tools/list reply is written, or a tools/call arrives, or {@link #FALLBACK}
 * has passed) and then runs the tasks queued with {@link #add}, in order, on one daemon thread.
 * <p>
 * Why: on a small machine the set-up tools need (the SSH client and its warm-up) competes with the handshake
 * for the CPU and the JIT; deferring it until the client has its tool list gets the server ready in about half the
 * time, and an agent's first tool call comes after that anyway. A tool call that arrives first simply builds what it
 * needs itself.
 */
final class Handshake {

    static final Duration FALLBACK = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(Handshake.class);

    private final List<Runnable> tasks = new ArrayList<>(); // guarded by this
    private final Set<Object> toolListIds = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean over = new AtomicBoolean();

    /** Queues a task; if the handshake is already over it starts at once. */
    void add(Runnable task) {
        synchronized (this) {
            if (!over.get()) {
                tasks.add(task);
                return;
            }
        }
        start(List.of(task));
    }

    /** An incoming message: remembers tools/list ids, and a tools/call ends the handshake. */
    void saw(McpSchema.JSONRPCMessage message) {
        if (over.get() || !(message instanceof McpSchema.JSONRPCRequest r)) {
            return;
        }
        if (McpSchema.METHOD_TOOLS_LIST.equals(r.method())) {
            toolListIds.add(r.id());
        } else if (McpSchema.METHOD_TOOLS_CALL.equals(r.method())) {
            finish("tools/call");
        }
    }

    /** An outgoing message: the reply to a tools/list ends the handshake. */
    void sent(McpSchema.JSONRPCMessage message) {
        if (!over.get() && message instanceof McpSchema.JSONRPCResponse r && toolListIds.contains(r.id())) {
            finish("tools/list answered");
        }
    }

    void startFallbackTimer() {
        Daemons.start("ssh-fleet-handshake-timer", () -> {
            try {
                Thread.sleep(FALLBACK.toMillis());
                finish("no tools/list within " + FALLBACK.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void finish(String why) {
        List<Runnable> queued;
        synchronized (this) {
            if (!over.compareAndSet(false, true)) {
                return;
            }
            queued = List.copyOf(tasks);
            tasks.clear();
        }
        toolListIds.clear();
        log.debug("handshake over ({}): running {} set-up tasks", why, queued.size());
        start(queued);
    }

    /** One thread, tasks in the order they were queued: they share the CPU with the first tool calls as it is. */
    private static void start(List<Runnable> tasks) {
        Daemons.start("ssh-fleet-setup", () -> {
            for (Runnable task : tasks) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("background set-up failed: {}", e.toString());
                }
            }
        });
    }
}
