package io.github.sshfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One result per machine whatever happens to the others; bounded threads; an interrupt never lies about what ran. */
class FanoutTest {

    final Fanout fanout = new Fanout(4);

    @AfterEach
    void close() {
        fanout.close();
    }

    static List<Machine> machines(int n) {
        List<Machine> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            list.add(new Machine(
                    "m-" + i,
                    "10.0.0." + i,
                    22,
                    "u",
                    null,
                    null,
                    null,
                    Machine.Origin.TEMPORARY,
                    "test",
                    java.util.Map.of()));
        }
        return list;
    }

    @Test
    void aTaskThatThrowsBecomesThatHostsResultAndTheOthersKeepTheirs() {
        List<String> r = fanout.run(
                machines(5),
                m -> {
                    if (m.name().equals("m-3")) {
                        throw new IllegalStateException("boom");
                    }
                    return m.name() + " ok";
                },
                (m, outcome, e) -> m.name() + " " + outcome + " " + e.getMessage());
        assertEquals(List.of("m-1 ok", "m-2 ok", "m-3 FAILED boom", "m-4 ok", "m-5 ok"), r);
    }

    @Test
    void aSingleHostThatThrowsIsAResultToo() {
        List<String> r = fanout.run(
                machines(1),
                m -> {
                    throw new IllegalStateException("boom");
                },
                (m, outcome, e) -> m.name() + " " + outcome);
        assertEquals(List.of("m-1 FAILED"), r);
    }

    @Test
    void fiveHundredHostsRunOnAtMostMaxParallelThreads() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        List<Integer> r = fanout.run(
                machines(500),
                m -> {
                    int now = running.incrementAndGet();
                    peak.accumulateAndGet(now, Math::max);
                    Thread.yield();
                    running.decrementAndGet();
                    return 1;
                },
                (m, o, e) -> 0);
        assertEquals(500, r.stream().mapToInt(Integer::intValue).sum());
        assertTrue(peak.get() <= 4, "peak " + peak.get());
        assertTrue(fanout.activeThreads() <= 4, "threads " + fanout.activeThreads());
    }

    @Test
    void anInterruptedCallReportsQueuedHostsAsNotStartedAndWaitsForStartedOnes() throws Exception {
        CountDownLatch started = new CountDownLatch(4);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(6);
        AtomicInteger ran = new AtomicInteger();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<List<String>> f = caller.submit(() -> fanout.run(
                    machines(10),
                    m -> {
                        ran.incrementAndGet();
                        started.countDown();
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return m.name() + " done";
                    },
                    (m, outcome, e) -> {
                        cancelled.countDown();
                        return m.name() + " " + outcome;
                    }));
            assertTrue(started.await(5, TimeUnit.SECONDS));
            caller.shutdownNow(); // interrupts the calling thread while 4 hosts run and 6 wait
            assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the 6 waiting hosts are cancelled at once");
            release.countDown();
            List<String> r = f.get(10, TimeUnit.SECONDS);
            assertEquals(10, r.size());
            long done = r.stream().filter(s -> s.endsWith("done")).count();
            long notStarted = r.stream().filter(s -> s.endsWith("NOT_STARTED")).count();
            assertEquals(4, ran.get());
            assertEquals(4, done, "every host that ran reports its own result: " + r);
            assertEquals(6, notStarted, r.toString());
        } finally {
            caller.shutdownNow();
        }
    }
}
