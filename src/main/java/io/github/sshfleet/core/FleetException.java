package io.github.sshfleet.core;

/**
 * An expected failure: something the agent (or operator) can act on. The message is written for that reader and
 * says what to do next; {@link io.github.sshfleet.mcp.ToolAdapter} turns it into an {@code isError} tool result.
 * Anything that is not a FleetException is a bug and is logged with its stack trace.
 */
public final class FleetException extends RuntimeException {

    /** Coarse classification, carried into structured results so an agent can branch on it. */
    public enum Kind {
        NO_CONFIG,
        UNKNOWN_HOST,
        BAD_ARGUMENT,
        UNREACHABLE,
        AUTH_FAILED,
        HOST_KEY,
        /** The host and ssh-fleet share no algorithm for a step of the SSH handshake: nothing was run. */
        INCOMPATIBLE,
        TIMEOUT,
        CONNECTION_LOST,
        SUDO,
        CONFLICT,
        BUSY,
        IO,
        NOT_FOUND,
        PERMISSION,
        TOO_LARGE,
        CANCELLED,
        /** Refused by the operator's policy (read-only command check, policy: rules): nothing ran. */
        POLICY,
        INTERNAL
    }

    private final Kind kind;

    public FleetException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public FleetException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** The longest piece of a caller's value an error message quotes. */
    public static final int QUOTE_MAX = 60;
    /** No error message shown to the agent is longer than this, whatever it quotes. */
    public static final int MESSAGE_MAX = 4096;

    /**
     * A caller's value as an error message quotes it: in single quotes, at most {@link #QUOTE_MAX} characters, with
     * its full length when cut. A 10 MB bad argument must not come back as a 10 MB error.
     */
    public static String quote(Object value) {
        String s = String.valueOf(value);
        if (s.length() <= QUOTE_MAX) {
            return "'" + s + "'";
        }
        return "'" + s.substring(0, QUOTE_MAX) + "...' (" + s.length() + " characters)";
    }

    /**
     * The message as the agent sees it: over-long words (a value quoted in full somewhere) cut to a prefix, and the
     * whole kept under {@link #MESSAGE_MAX}. The one safety net behind {@link #quote}.
     */
    public static String bounded(String message) {
        if (message == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(message.length(), MESSAGE_MAX + 64));
        int i = 0;
        while (i < message.length() && out.length() < MESSAGE_MAX) {
            int j = i;
            while (j < message.length() && !Character.isWhitespace(message.charAt(j))) {
                j++;
            }
            if (j - i > 2 * QUOTE_MAX + 40) { // no path, fingerprint or name is this long: a quoted value
                out.append(message, i, i + QUOTE_MAX)
                        .append("...(")
                        .append(j - i)
                        .append(" characters)");
            } else {
                out.append(message, i, j);
            }
            int k = j;
            while (k < message.length() && Character.isWhitespace(message.charAt(k))) {
                k++;
            }
            out.append(message, j, k);
            i = k;
        }
        if (i < message.length()) {
            out.setLength(Math.min(out.length(), MESSAGE_MAX));
            out.append(" [... ").append(message.length() - i).append(" more characters of this message omitted]");
        }
        return out.toString();
    }

    public static FleetException badArgument(String message) {
        return new FleetException(Kind.BAD_ARGUMENT, message);
    }
}
