package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.ssh.ExecOptions;
import io.github.sshfleet.ssh.RunningCommand;
import io.github.sshfleet.ssh.Shell;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a tool call waits for its commands: in half-second slices, sending progress (bytes so far, the last line, or
 * how many hosts are done) so the client's idle timer never fires, until they end or the async_after deadline passes
 * and they are handed to the background registry. A client cancellation interrupts them.
 */
final class Waiter {

    private static final Duration SLICE = Duration.ofMillis(500);
    static final Duration LATE_START_WAIT = Duration.ofSeconds(5);

    private final FleetServices fleet;
    private final Progress progress;
    private final Duration asyncAfter;
    private final Deadline callAsyncDeadline;
    private final int hosts;
    private final long startNanos = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();

    Waiter(FleetServices fleet, Progress progress, Duration asyncAfter, int hosts) {
        this.fleet = fleet;
        this.progress = progress;
        this.asyncAfter = asyncAfter;
        this.callAsyncDeadline = Deadline.after(asyncAfter);
        this.hosts = hosts;
    }

    /**
     * When a command that starts now goes to the background. Queue time is not command time: a host that waited for
     * a fan-out slot still gets at least {@link #LATE_START_WAIT} (or async_after, if shorter) of its own, so a quick
     * command on host 480 of 500 returns its result instead of a background id. Hosts that start in time share the
     * call's async_after, so a fan-out of long commands still returns after about async_after.
     */
    private Deadline asyncDeadlineFromNow() {
        Duration own = asyncAfter.compareTo(LATE_START_WAIT) < 0 ? asyncAfter : LATE_START_WAIT;
        Deadline late = Deadline.after(own);
        return late.remainingMillis() > callAsyncDeadline.remainingMillis() ? late : callAsyncDeadline;
    }

    CommandResult runOn(Machine m, String command, Duration hardTimeout, boolean sudo, int cap) {
        return runOn(m, command, hardTimeout, sudo, cap, ExecOptions.NONE, Map.of());
    }

    /**
     * With options and {@code env}: the variables go to a private file staged on the host, which the command's own
     * shell opens, deletes and then reads, so the values are in no argv there; they are masked in the output.
     */
    // Long on purpose: start, wait up to async_after, or hand to the background: one host's path through exec, in the
    // order it happens.
    CommandResult runOn(
            Machine m,
            String command,
            Duration hardTimeout,
            boolean sudo,
            int cap,
            ExecOptions options,
            Map<String, String> env) {
        RunningCommand rc;
        long t0 = System.nanoTime();
        if (m.device() != null) { // a device CLI runs one command at a time, to its prompt: no background
            CommandResult r = fleet.runner()
                    .run(
                            m,
                            command,
                            hardTimeout != null
                                    ? hardTimeout
                                    : Duration.ofSeconds(Math.max(60, asyncAfter.toSeconds())),
                            sudo,
                            cap);
            report(m.name() + " done");
            return r;
        }
        String envFile = null;
        try {
            ExecOptions o = options;
            if (!env.isEmpty()) {
                StringBuilder lines = new StringBuilder();
                env.forEach((k, v) ->
                        lines.append(k).append('=').append(Shell.quote(v)).append('\n'));
                envFile = fleet.staging().stage(m, "env", lines.toString().getBytes(StandardCharsets.UTF_8));
                String f = Shell.quote(envFile);
                o = new ExecOptions(
                        options.cwd(),
                        options.tty(),
                        "exec 3< " + f + " && rm -f -- " + f + " && set -a && . /dev/fd/3 && set +a && exec 3<&-");
            }
            rc = fleet.runner().start(m, command, hardTimeout, sudo, cap, o);
        } catch (FleetException e) {
            if (envFile != null) {
                fleet.staging().remove(m, envFile);
            }
            report(m.name() + ": " + e.kind().name().toLowerCase());
            return CommandResult.failed(m.name(), m.address(), (System.nanoTime() - t0) / 1_000_000, e);
        }
        env.values().forEach(rc::addSecret);
        if (envFile != null) {
            String staged = envFile;
            // A command that exited ran its prelude, which deleted the file first: only the journal entry is closed.
            // Otherwise (the connection dropped before or while it ran) the file is removed, now or later.
            rc.onFinish(() -> {
                if (rc.result().exitCode() != null) {
                    fleet.staging().forget(staged);
                } else {
                    io.github.sshfleet.core.Daemons.start(
                            "ssh-fleet-env-cleanup", () -> fleet.staging().remove(m, staged));
                }
            });
        }
        progress.onCancel(() -> rc.interrupt("the client cancelled the request"));
        return await(rc, asyncDeadlineFromNow());
    }

    /** Waits for a command that started just now; hands it to the background when async_after passes. */
    CommandResult await(RunningCommand rc) {
        return await(rc, asyncDeadlineFromNow());
    }

    private CommandResult await(RunningCommand rc, Deadline asyncDeadline) {
        while (!rc.await(SLICE)) {
            if (asyncDeadline.expired()) {
                String id = fleet.background().track(rc).id();
                report(rc.machine().name() + " still running as " + id);
                return rc.snapshot().inBackground(id);
            }
            if (hosts == 1) {
                long bytes = rc.stdout().totalBytes() + rc.stderr().totalBytes();
                String last = rc.stdout().lastLine();
                report("running " + rc.elapsedMillis() / 1000 + " s, " + bytes + " bytes of output"
                        + (last.isEmpty() ? "" : "; last line: " + last));
            } else {
                report(done.get() + "/" + hosts + " hosts done");
            }
        }
        CommandResult r = rc.result();
        int n = done.incrementAndGet();
        if (hosts > 1) {
            report(n + "/" + hosts + " hosts done; " + rc.machine().name() + " "
                    + (r.exitCode() != null ? "exit " + r.exitCode() : "ended"));
        }
        return r;
    }

    /** Progress must only grow: elapsed milliseconds do, and double as a heartbeat while output is silent. */
    private void report(String message) {
        progress.report((System.nanoTime() - startNanos) / 1_000_000.0, null, message);
    }
}
