package io.github.sshfleet.mcp;

import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress notifications for one tool call, sent only when the client asked (it sent a progressToken), at most two
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
