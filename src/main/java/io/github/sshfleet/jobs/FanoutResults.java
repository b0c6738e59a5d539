package io.github.sshfleet.jobs;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.ssh.CommandResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The full per-host results of recent fan-out calls (as captured: each host's output is bounded when it is read), so
 * a folded or budget-trimmed reply never hides a host's result for good: {@code get_command_status(command_id,
 * host)} returns it. Only the last {@link #KEEP} calls are kept.
 */
public final class FanoutResults {

    static final int KEEP = 16;

    private final AtomicInteger ids = new AtomicInteger();
    private final Map<String, Map<String, CommandResult>> calls = new LinkedHashMap<>(); // guarded by this

    /** Records one call's results; returns its id ("run-N"). */
    public synchronized String record(List<CommandResult> results) {
        String id = "run-" + ids.incrementAndGet();
        Map<String, CommandResult> byHost = new LinkedHashMap<>();
        results.forEach(r -> byHost.put(r.machine().toLowerCase(java.util.Locale.ROOT), r));
        calls.put(id, byHost);
        while (calls.size() > KEEP) {
            calls.remove(calls.keySet().iterator().next());
        }
        return id;
    }

    public static boolean isRunId(String id) {
        return id.startsWith("run-");
    }

    /** One host's result of call {@code id}. */
    public synchronized CommandResult get(String id, String host) {
        Map<String, CommandResult> call = calls.get(id);
        if (call == null) {
            throw new FleetException(
                    Kind.NOT_FOUND,
                    "no fan-out result " + FleetException.quote(id) + ": only the "
                            + "last " + KEEP + " calls are kept"
                            + (calls.isEmpty() ? "" : " (" + String.join(", ", calls.keySet()) + ")")
                            + ". Run the command again on that host.");
        }
        if (host == null || host.isBlank()) {
            throw FleetException.badArgument(id + " ran on " + call.size() + " hosts: pass host too, e.g. host=\""
                    + call.values().iterator().next().machine() + "\".");
        }
        CommandResult r = call.get(host.strip().toLowerCase(java.util.Locale.ROOT));
        if (r == null) {
            throw new FleetException(Kind.UNKNOWN_HOST, id + " did not run on " + FleetException.quote(host) + ".");
        }
        return r;
    }
}
