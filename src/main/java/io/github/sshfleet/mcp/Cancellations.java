package io.github.sshfleet.mcp;

import io.github.sshfleet.core.Daemons;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * notifications/cancelled, made to do something. The SDK (2.0.1) does not route cancellations to handlers, so the
 * transport tags each tools/call with its JSON-RPC id (in _meta) and, when the client cancels that id, runs what the
 * call registered: stopping its remote command.
 */
public final class Cancellations {

    private static final Logger log = LoggerFactory.getLogger(Cancellations.class);

    /** The _meta key the transport adds to every tools/call: the request's JSON-RPC id. */
    public static final String REQUEST_ID = "io.github.sshfleet/requestId";

    /** What one call does when cancelled. */
    public static final class Cancellation {
        private final List<Runnable> actions = new CopyOnWriteArrayList<>();
        private volatile boolean cancelled;

        public void onCancel(Runnable action) {
            actions.add(action);
            if (cancelled) {
                action.run();
            }
        }

        public boolean cancelled() {
            return cancelled;
        }

        void cancel() {
            cancelled = true;
            for (Runnable a : actions) {
                try {
                    a.run();
                } catch (RuntimeException e) {
                    log.warn("cancel action failed", e);
                }
            }
        }
    }

    static final Cancellation NONE = new Cancellation();

    private final Map<String, Cancellation> calls = new ConcurrentHashMap<>();

    Cancellation register(Object requestId) {
        if (requestId == null) {
            return new Cancellation();
        }
        return calls.computeIfAbsent(String.valueOf(requestId), k -> new Cancellation());
    }

    void done(Object requestId) {
        if (requestId != null) {
            calls.remove(String.valueOf(requestId));
        }
    }

    /** The client cancelled this request: run its actions on a fresh thread (they may block for seconds). */
    void cancel(Object requestId, String reason) {
        Cancellation c = requestId == null ? null : calls.get(String.valueOf(requestId));
        log.info(
                "client cancelled request {}{}{}",
                requestId,
                reason == null ? "" : " (" + reason + ")",
                c == null ? "; nothing running for it" : "; stopping its work");
        if (c != null) {
            Daemons.start("ssh-fleet-cancel-" + requestId, c::cancel);
        }
    }
}
