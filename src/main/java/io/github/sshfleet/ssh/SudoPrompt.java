package io.github.sshfleet.ssh;

import io.github.sshfleet.core.Tokens;

/**
 * What ssh-fleet knows about sudo's password prompt, for both ways it runs sudo (a command through {@link Sudo}, a root
 * shell on a PTY): a prompt text unique to one call, so it is never mistaken for command output, and the two ways it
 * ends badly. The password is written only after this exact prompt appears, so a NOPASSWD host never receives it.
 */
public final class SudoPrompt {

    private final String text;

    private SudoPrompt(String text) {
        this.text = text;
    }

    /** A prompt no command prints by accident. */
    public static SudoPrompt fresh() {
        return new SudoPrompt("[ssh-fleet-sudo-" + Tokens.next() + "]");
    }

    public String text() {
        return text;
    }

    /** {@code sudo -p '<prompt>'}, reading the password from stdin ({@code -S}) or from the terminal. */
    public String sudo(boolean fromStdin) {
        return "sudo " + (fromStdin ? "-S " : "") + "-p " + Shell.quote(text);
    }

    /** sudo asked for a password, and the machine has none (key login). */
    public static String noPassword(String machine) {
        return "sudo on " + machine + " asks for a password, but none is configured for this machine (key login). "
                + "Add the password to its hosts line (user:password plus key=...), or allow NOPASSWD sudo for this "
                + "user.";
    }

    /** sudo asked a second time: the password was wrong. */
    public static String rejected(String machine) {
        return "sudo on " + machine + " rejected the password. The login password in the hosts file is used for "
                + "sudo; fix it there and call reload_machines.";
    }
}
