package io.github.sshfleet.fleet;

import io.github.sshfleet.core.Daemons;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Runs one task per machine on a fixed pool of {@code maxParallel} threads shared by all calls (so 500 hosts never
 * mean 500 threads), and returns one result per machine, in machine order, whatever happens to the others. A task
 * that throws becomes that machine's own result through {@code onError}; it never fails the call or hides the
 * results of hosts whose commands ran. A single machine runs on the caller's thread: no hand-off on the common path.
 */
public final class Fanout implements AutoCloseable {

    /** What became of a machine's task when it did not return normally. */
    public enum Outcome {
        /** The task threw: it may or may not have done its work on the host. */
        FAILED,
        /** The call was interrupted before the task started: nothing ran on the host. */
        NOT_STARTED,
        /** The call was interrupted while the task ran, and it did not finish in the grace time. */
        ABANDONED
    }

    /** After an interrupt, how long started tasks get to finish (they are being cancelled too) before we stop waiting. */
    private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(5);

    private final ThreadPoolExecutor executor;

    public Fanout(int maxParallel) {
        this.executor = new ThreadPoolExecutor(
                maxParallel,
                maxParallel,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                Daemons.factory("ssh-fleet-fanout", true));
        this.executor.allowCoreThreadTimeOut(true); // an idle server keeps no fan-out threads
    }

    /**
     * {@code onError} turns a task's failure into that machine's result; it gets the machine, the outcome and the
     * throwable (null for NOT_STARTED and ABANDONED).
     */
    public <R> List<R> run(
            List<Machine> machines, Function<Machine, R> task, TriFunction<Machine, Outcome, Throwable, R> onError) {
        if (machines.size() == 1) {
            Machine m = machines.get(0);
            try {
                return List.of(task.apply(m));
            } catch (RuntimeException | Error e) {
                return List.of(onError.apply(m, Outcome.FAILED, e));
            }
        }
        List<Job<R>> jobs = new ArrayList<>(machines.size());
        for (Machine m : machines) {
            Job<R> job = new Job<>(m, task);
            jobs.add(job);
            executor.execute(job.future);
        }
        List<R> results = new ArrayList<>(jobs.size());
        long graceEnd = 0; // 0: not interrupted
        for (Job<R> job : jobs) {
            R r = job.result;
            while (r == null) {
                try {
                    r = graceEnd == 0
                            ? job.future.get()
                            : job.future.get(Math.max(1, graceEnd - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    // Cancelled: hosts still waiting for a thread never start; those running get a grace period.
                    graceEnd = System.nanoTime() + INTERRUPT_GRACE.toNanos();
                    for (Job<R> j : jobs) {
                        if (j.claimed.compareAndSet(false, true)) {
                            j.future.cancel(false);
                            j.result = onError.apply(j.machine, Outcome.NOT_STARTED, null);
                        }
                    }
                    r = job.result;
                } catch (ExecutionException e) {
                    r = onError.apply(job.machine, Outcome.FAILED, e.getCause());
                } catch (CancellationException e) {
                    r = onError.apply(job.machine, Outcome.NOT_STARTED, null);
                } catch (TimeoutException e) {
                    r = onError.apply(job.machine, Outcome.ABANDONED, null);
                }
            }
            results.add(r);
        }
        if (graceEnd != 0) {
            Thread.currentThread().interrupt();
        }
        return results;
    }

    /** Three-argument function (the JDK has none). */
    @FunctionalInterface
    public interface TriFunction<A, B, C, R> {
        R apply(A a, B b, C c);
    }

    /** One machine's task, knowing whether it started (a task cancelled before it started ran nothing). */
    private static final class Job<R> {
        final Machine machine;
        /** Set by whoever gets there first: the task as it starts, or an interrupted caller that cancels it. */
        final AtomicBoolean claimed = new AtomicBoolean();

        final FutureTask<R> future;
        R result; // set by the caller's thread only, for a job it cancelled

        Job(Machine machine, Function<Machine, R> task) {
            this.machine = machine;
            this.future = new FutureTask<>(() -> {
                if (!claimed.compareAndSet(false, true)) {
                    throw new CancellationException("cancelled before it started");
                }
                return task.apply(machine);
            });
        }
    }

    /** Threads in use right now (tests check that a big fan-out stays within the bound). */
    public int activeThreads() {
        return executor.getPoolSize();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
