package io.github.sshfleet.testing;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition until it holds or the time is up: for asserts on things that settle, instead of fixed sleeps. */
public final class Eventually {

    private Eventually() {}

    /** Returns the first value that satisfies {@code ok}, polling every 50 ms; fails with the last value seen. */
    public static <T> T eventually(
            Duration within, Supplier<T> probe, java.util.function.Predicate<T> ok, String what) {
        long until = System.nanoTime() + within.toNanos();
        T last;
        while (true) {
            last = probe.get();
            if (ok.test(last)) {
                return last;
            }
            if (System.nanoTime() > until) {
                throw new AssertionError(what + " did not happen within " + within + "; last seen: " + last);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
