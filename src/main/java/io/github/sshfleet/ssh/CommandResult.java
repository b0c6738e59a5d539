package io.github.sshfleet.ssh;

import io.github.sshfleet.core.FleetException;

/**
 * What one command on one machine did. Either it ran (exitCode or exitSignal set, possibly timedOut), or it failed
 * before or while running ({@code failure} set: unreachable, auth, host key, connection lost...).
 */
public record CommandResult(
        String machine,
        String address,
        Integer exitCode,
        String exitSignal,
        String stdout,
        String stderr,
        long stdoutBytes,
        long stderrBytes,
        boolean stdoutTruncated,
        boolean stderrTruncated,
        boolean timedOut,
        long durationMillis,
        FleetException failure,
        String backgroundId) {

    public static CommandResult failed(String machine, String address, long durationMillis, FleetException failure) {
        return new CommandResult(
                machine, address, null, null, "", "", 0, 0, false, false, false, durationMillis, failure, null);
    }

    /** The same snapshot, marked as still running in the background under {@code id}. */
    public CommandResult inBackground(String id) {
        return new CommandResult(
                machine,
                address,
                exitCode,
                exitSignal,
                stdout,
                stderr,
                stdoutBytes,
                stderrBytes,
                stdoutTruncated,
                stderrTruncated,
                timedOut,
                durationMillis,
                failure,
                id);
    }

    /** Ran to completion with exit code 0. */
    public boolean ok() {
        return failure == null && !timedOut && exitCode != null && exitCode == 0;
    }
}
