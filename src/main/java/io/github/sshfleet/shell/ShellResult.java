package io.github.sshfleet.shell;

/**
 * One shell_run: the output as the agent sees it (bounded, terminal noise removed), the command's real exit code
 * (null when it was interrupted), and the shell's cwd afterwards. {@code note} says what happened on a timeout.
 */
public record ShellResult(
        String sessionId,
        String machine,
        String output,
        long outputBytes,
        boolean truncated,
        Integer exitCode,
        boolean timedOut,
        String cwd,
        long durationMillis,
        String note) {}
