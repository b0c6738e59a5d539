package io.github.sshfleet.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

import io.github.sshfleet.Daemons;

/**
 * Runs one task per machine in parallel, at most {@code maxParallel} at a time across all calls, and returns the
 * results in machine order. A single machine runs on the caller's thread: no hand-off on the common path.
 * Tasks must not throw: they return their failures (each task owns its deadline).
 */
public final class Fanout implements AutoCloseable {

    private final ExecutorService executor;
    private final Semaphore slots;

    public Fanout(int maxParallel) {
        this.slots = new Semaphore(maxParallel);
        this.executor = Executors.newCachedThreadPool(Daemons.factory("ssh-fleet-fanout", true));
    }

    public <R> List<R> run(List<Machine> machines, Function<Machine, R> task) {
        if (machines.size() == 1) {
            return List.of(task.apply(machines.get(0)));
        }
        List<Future<R>> futures = new ArrayList<>();
        for (Machine m : machines) {
            futures.add(executor.submit(() -> {
                slots.acquireUninterruptibly();
                try {
                    return task.apply(m);
                } finally {
                    slots.release();
                }
            }));
        }
        List<R> results = new ArrayList<>();
        for (Future<R> f : futures) {
            try {
                results.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(x -> x.cancel(true));
                throw new IllegalStateException("interrupted while waiting for hosts", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a fan-out task failed unexpectedly", e.getCause());
            }
        }
        return results;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
