package io.github.sshfleet.ssh;

/**
 * How a command runs besides its text: {@code cwd} (null: the login directory), {@code tty} (a PTY for programs that
 * demand one; stdout and stderr then arrive merged, as on a terminal), and {@code prelude} (shell lines run first in
 * the same shell, e.g. loading an env file; never user input).
 */
public record ExecOptions(String cwd, boolean tty, String prelude) {

    public static final ExecOptions NONE = new ExecOptions(null, false, null);

    /** The command as the remote shell gets it: prelude, then the cd (failing clearly), then the command. */
    String wrap(String command) {
        StringBuilder sb = new StringBuilder();
        if (prelude != null) {
            sb.append(prelude).append('\n');
        }
        if (cwd != null) {
            String q = Shell.quote(cwd);
            sb.append("cd -- ")
                    .append(q)
                    .append(" 2>/dev/null || { printf 'ssh-fleet: cwd %s does not exist or is not "
                            + "a directory there\\n' ")
                    .append(q)
                    .append(" >&2; exit 1; }\n");
        }
        return sb.append(command).toString();
    }
}
