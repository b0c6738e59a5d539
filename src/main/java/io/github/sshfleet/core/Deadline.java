package io.github.sshfleet.core;

import java.time.Duration;

/**
 * A point in time a call must finish by. Each step asks for what is left, so the overall budget shrinks as steps
 * use it (instead of every step getting the full timeout again).
 */
public final class Deadline {

    private final long deadlineNanos;

    private Deadline(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    public static Deadline after(Duration d) {
        return new Deadline(System.nanoTime() + d.toNanos());
    }

    public long remainingMillis() {
        return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    /** The remaining time as a timeout for a blocking call: at least 1 ms, since some APIs read 0 as "forever". */
    public long waitMillis() {
        return Math.max(1, remainingMillis());
    }

    public Duration remaining() {
        return Duration.ofMillis(remainingMillis());
    }

    public boolean expired() {
        return deadlineNanos - System.nanoTime() <= 0;
    }

    /** The earlier of this deadline and now + cap. */
    public Deadline cappedAt(Duration cap) {
        return new Deadline(Math.min(deadlineNanos, System.nanoTime() + cap.toNanos()));
    }
}
