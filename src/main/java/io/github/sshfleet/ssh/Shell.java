package io.github.sshfleet.ssh;

/**
 * Shell quoting and the wrappers that give commands a login environment. Every argument that reaches a remote shell
 * goes through {@link #quote(String)}.
 */
public final class Shell {

    private Shell() {}

    /** POSIX single-quoting: safe for any byte sequence except NUL. */
    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * Runs {@code command} in a login shell (bash -l, or sh where bash is missing) so PATH matches an interactive
     * login, as in the reference. The outer text is what sshd hands to the user's shell.
     */
    public static String login(String command) {
        return PICK_LOGIN_SHELL + "; exec $s -c " + quote(command);
    }

    /** Whether the machine has bash: every shell ssh-fleet starts prefers it and falls back to sh. */
    private static final String HAS_BASH = "command -v bash >/dev/null 2>&1";

    /** Sets {@code $s} to the login shell to use: {@code bash -l}, or {@code sh -l} where bash is missing. */
    static final String PICK_LOGIN_SHELL = "if " + HAS_BASH + "; then s='bash -l'; else s='sh -l'; fi";

    /** Replaces the current shell with an interactive login one (bash without line editing, or sh). */
    public static final String EXEC_INTERACTIVE_LOGIN =
            "if " + HAS_BASH + "; then exec bash --login --noediting -i; else exec sh -l -i; fi";
}
