package io.github.sshfleet.policy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Approvals a person gave that an identical call may reuse for {@code approval_grant} (default 0: every call asks).
 * Identical means the same tool, the same command or paths, as the same user, on the same set of machines; so an
 * approval of "reboot web-1" never covers "reboot web-2". Time comes from the clock handed in; at most
 * {@link #MAX} approvals are kept, the oldest dropped first.
 */
public final class Approvals {

    static final int MAX = 1000;

    private final Duration grant;
    private final Clock clock;
    private final Map<String, Instant> until = new LinkedHashMap<>();

    public Approvals(Duration grant, Clock clock) {
        this.grant = grant;
        this.clock = clock;
    }

    /** The key of one approval question: tool, user, what, machines (sorted). */
    public static String key(Policy.Action action, java.util.Collection<String> machines) {
        return action.tool() + "\u0000" + action.root() + "\u0000" + action.command() + "\u0000" + action.paths()
                + "\u0000" + new java.util.TreeSet<>(machines);
    }

    /** Whether an approval of exactly this is still in force. */
    public synchronized boolean granted(String key) {
        if (grant.isZero()) {
            return false;
        }
        Instant end = until.get(key);
        if (end == null) {
            return false;
        }
        if (!clock.instant().isBefore(end)) {
            until.remove(key);
            return false;
        }
        return true;
    }

    /** Records a yes; it covers identical calls until approval_grant has passed. */
    public synchronized void approved(String key) {
        if (grant.isZero()) {
            return;
        }
        until.remove(key);
        until.put(key, clock.instant().plus(grant));
        Iterator<String> oldest = until.keySet().iterator();
        while (until.size() > MAX && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }
}
