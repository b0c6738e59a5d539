package io.github.sshfleet;

/**
 * An expected failure: something the agent (or operator) can act on. The message is written for that reader and
 * says what to do next; {@link io.github.sshfleet.mcp.ToolAdapter} turns it into an {@code isError} tool result.
 * Anything that is not a FleetException is a bug and is logged with its stack trace.
 */
public final class FleetException extends RuntimeException {

    /** Coarse classification, carried into structured results so an agent can branch on it. */
    public enum Kind {
        NO_CONFIG, UNKNOWN_HOST, BAD_ARGUMENT, UNREACHABLE, AUTH_FAILED, HOST_KEY, TIMEOUT, CONNECTION_LOST,
        SUDO, CONFLICT, BUSY, IO, NOT_FOUND, PERMISSION
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

    public static FleetException badArgument(String message) {
        return new FleetException(Kind.BAD_ARGUMENT, message);
    }
}
