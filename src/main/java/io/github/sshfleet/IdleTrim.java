package io.github.sshfleet;

import io.github.sshfleet.core.Daemons;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives memory back after a burst. A plain {@code java -jar} gets G1 with a heap sized for the machine, and G1 keeps
 * what a burst of calls made it commit: RSS stays at its peak for as long as the server lives, mostly idle. Once the
 * client has sent nothing for {@link #QUIET}, this runs one full collection with a tight free-heap band (both
 * ratios are manageable flags, set for that collection and put back), which shrinks the committed heap to what is
 * live. Once per quiet spell: an idle server is not collected again until the next call.
 */
final class IdleTrim {

    private static final Logger log = LoggerFactory.getLogger(IdleTrim.class);

    static final Duration QUIET = Duration.ofSeconds(30);

    private final LongSupplier nanos;
    private final Runnable collect;
    private volatile long lastMessage;
    private volatile boolean trimmed = true; // nothing to give back before the first call

    IdleTrim(LongSupplier nanos, Runnable collect) {
        this.nanos = nanos;
        this.collect = collect;
        this.lastMessage = nanos.getAsLong();
    }

    /** The client sent something. */
    void touched() {
        lastMessage = nanos.getAsLong();
        trimmed = false;
    }

    /** Collects if the server has been quiet for {@link #QUIET} since activity; true when it did. */
    boolean tick() {
        if (trimmed || nanos.getAsLong() - lastMessage < QUIET.toNanos()) {
            return false;
        }
        trimmed = true;
        collect.run();
        return true;
    }

    /**
     * The real one: checks every 5 s on a daemon thread, collecting with the narrow band. The bench turns it off
     * with -Dsshfleet.idleTrim=false to measure the difference in the same run.
     */
    static IdleTrim start() {
        boolean on = !"false".equals(System.getProperty("sshfleet.idleTrim"));
        IdleTrim t = new IdleTrim(System::nanoTime, on ? IdleTrim::collectNarrow : () -> {});
        ScheduledExecutorService s =
                Executors.newSingleThreadScheduledExecutor(Daemons.factory("ssh-fleet-idle", false));
        s.scheduleWithFixedDelay(t::tick, 5, 5, TimeUnit.SECONDS);
        return t;
    }

    private static void collectNarrow() {
        long before = committed();
        try {
            var vm = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            String min = vm.getVMOption("MinHeapFreeRatio").getValue();
            String max = vm.getVMOption("MaxHeapFreeRatio").getValue();
            try {
                vm.setVMOption("MinHeapFreeRatio", "5");
                vm.setVMOption("MaxHeapFreeRatio", "20");
                System.gc();
            } finally {
                vm.setVMOption("MaxHeapFreeRatio", max);
                vm.setVMOption("MinHeapFreeRatio", min);
            }
        } catch (RuntimeException e) { // another JVM or GC without those flags: a plain collection still helps
            System.gc();
        }
        log.debug("idle: heap committed {} MB -> {} MB", before >> 20, committed() >> 20);
    }

    private static long committed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }
}
