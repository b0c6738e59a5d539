package io.github.sshfleet.mcp;

import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tool call's link back to the client: cancellation, approval questions ({@link #ask}), and progress
 * notifications for one tool call, sent only when the client asked (it sent a progressToken), at most two
 * per second, always increasing as the spec requires. Claude Code resets its idle timer on each one, so long
 * transfers keep the call alive. Safe to call from any thread: the transport serializes writes.
 */
public final class Progress {

    private static final Logger log = LoggerFactory.getLogger(Progress.class);
    private static final long MIN_INTERVAL_NANOS = 500_000_000L;

    public static final Progress NONE = new Progress(null, null, Cancellations.NONE);

    private final McpSyncServerExchange exchange;
    private final Object token;
    private final Cancellations.Cancellation cancellation;
    private double last = -1;
    private volatile Answer asked;
    private long lastSentNanos;

    private Progress(McpSyncServerExchange exchange, Object token, Cancellations.Cancellation cancellation) {
        this.exchange = exchange;
        this.token = token;
        this.cancellation = cancellation;
    }

    static Progress of(
            McpSyncServerExchange exchange, Map<String, Object> meta, Cancellations.Cancellation cancellation) {
        Object token = meta == null ? null : meta.get("progressToken");
        return new Progress(exchange == null ? null : exchange, exchange == null ? null : token, cancellation);
    }

    /** Runs {@code action} if the client cancels this call (notifications/cancelled); at once if it already has. */
    public void onCancel(Runnable action) {
        cancellation.onCancel(action);
    }

    public boolean cancelled() {
        return cancellation.cancelled();
    }

    public boolean enabled() {
        return token != null;
    }

    /** How a person answered a question put through the client (MCP elicitation). */
    public enum Answer {
        APPROVED,
        DECLINED,
        CANCELLED,
        TIMED_OUT,
        /** Not asked: an identical call was approved within approval_grant. */
        GRANTED,
        /** The client did not declare the elicitation capability, or there is no client (internal calls). */
        UNSUPPORTED,
        FAILED
    }

    /**
     * Asks the person at the client a yes/no question (elicitation/create) and waits up to {@code timeout}; anything
     * but an explicit yes is not approval. Polls so a cancelled call stops waiting at once.
     */
    public Answer ask(String message, java.time.Duration timeout) {
        Answer a = askOnce(message, timeout);
        asked = a; // for the audit trail's end line
        return a;
    }

    /** Records that an earlier yes within approval_grant covers this call (for the audit trail). */
    public void granted() {
        asked = Answer.GRANTED;
    }

    /** The answer of this call's approval question, or null when none was asked. */
    public Answer asked() {
        return asked;
    }

    private Answer askOnce(String message, java.time.Duration timeout) {
        if (exchange == null
                || exchange.getClientCapabilities() == null
                || exchange.getClientCapabilities().elicitation() == null) {
            return Answer.UNSUPPORTED;
        }
        Map<String, Object> schema = Map.of(
                "type",
                "object",
                "properties",
                Map.of(
                        "approve",
                        Map.of("type", "boolean", "title", "Run it", "description", "true runs it; false refuses")),
                "required",
                java.util.List.of("approve"));
        io.modelcontextprotocol.spec.McpSchema.ElicitRequest request =
                io.modelcontextprotocol.spec.McpSchema.ElicitFormRequest.builder(message, schema)
                        .build();
        java.util.concurrent.CompletableFuture<io.modelcontextprotocol.spec.McpSchema.ElicitResult> answer =
                java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> exchange.createElicitation(request),
                        r -> io.github.sshfleet.core.Daemons.start("ssh-fleet-approval", r));
        long until = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                if (cancelled()) {
                    answer.cancel(true);
                    return Answer.CANCELLED;
                }
                long left = until - System.nanoTime();
                if (left <= 0) {
                    answer.cancel(true);
                    return Answer.TIMED_OUT;
                }
                try {
                    io.modelcontextprotocol.spec.McpSchema.ElicitResult r =
                            answer.get(Math.min(left, 250_000_000L), java.util.concurrent.TimeUnit.NANOSECONDS);
                    return switch (r.action()) {
                        case ACCEPT ->
                            r.content() != null
                                            && Boolean.TRUE.equals(r.content().get("approve"))
                                    ? Answer.APPROVED
                                    : Answer.DECLINED;
                        case DECLINE -> Answer.DECLINED;
                        case CANCEL -> Answer.CANCELLED;
                    };
                } catch (java.util.concurrent.TimeoutException stillWaiting) {
                    // poll again: cancellation, then the deadline
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer.cancel(true);
            return Answer.CANCELLED;
        } catch (java.util.concurrent.ExecutionException e) {
            log.info(
                    "approval question failed: {}",
                    e.getCause() == null ? e.toString() : e.getCause().toString());
            return e.getCause() != null && e.getCause().toString().toLowerCase().contains("timeout")
                    ? Answer.TIMED_OUT
                    : Answer.FAILED;
        }
    }

    /** Sends unless one was sent in the last 500 ms or {@code progress} did not grow. */
    public synchronized void report(double progress, Double total, String message) {
        if (token == null || progress <= last) {
            return;
        }
        long now = System.nanoTime();
        if (last >= 0 && now - lastSentNanos < MIN_INTERVAL_NANOS) {
            return;
        }
        last = progress;
        lastSentNanos = now;
        try {
            exchange.progressNotification(new ProgressNotification(token, progress, total, message, null));
        } catch (RuntimeException e) {
            log.debug("progress notification not sent: {}", e.toString());
        }
    }
}
