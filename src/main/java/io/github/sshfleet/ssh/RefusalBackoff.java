package io.github.sshfleet.ssh;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The waits between tries of a channel the host refused (sshd's MaxSessions still counts channels closed a moment
 * ago): 25, 50, 75 ... ms, at most 200, until the refusals have lasted their limit (connect_timeout, or less of the
 * call's deadline). Time comes from the pool's clock, so the schedule is tested without waiting it out.
 */
final class RefusalBackoff {

    static final long STEP_MILLIS = 25;
    static final long MAX_PAUSE_MILLIS = 200;

    private final LongSupplier nanos;
    private final long untilNanos;
    private int refusals;

    RefusalBackoff(LongSupplier nanos, Duration limit) {
        this.nanos = nanos;
        this.untilNanos = nanos.getAsLong() + limit.toNanos();
    }

    /** The pause before the next try after one more refusal, or -1 when the limit is used up: refuse the call. */
    long nextPauseMillis() {
        long left = (untilNanos - nanos.getAsLong()) / 1_000_000;
        if (left <= 0) {
            return -1;
        }
        refusals++;
        return Math.min(Math.min(STEP_MILLIS * refusals, MAX_PAUSE_MILLIS), left);
    }

    int refusals() {
        return refusals;
    }
}
