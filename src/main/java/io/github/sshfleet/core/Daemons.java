package io.github.sshfleet.core;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every thread ssh-fleet starts is a named daemon: the process ends when stdin ends (Main exits explicitly after
 * closing what it owns), and a thread dump says what each thread is for.
 */
public final class Daemons {

    private Daemons() {}

    /** Starts {@code r} on a new daemon thread called {@code name}. */
    public static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** For executors: daemon threads called {@code prefix}, or {@code prefix-N} when the pool may hold several. */
    public static ThreadFactory factory(String prefix, boolean numbered) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, numbered ? prefix + "-" + n.incrementAndGet() : prefix);
            t.setDaemon(true);
            return t;
        };
    }
}
