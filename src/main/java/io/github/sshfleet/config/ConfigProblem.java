package io.github.sshfleet.config;

/** One problem found while reading config.yaml or the hosts file; {@code where} is "file:line" or "file". */
public record ConfigProblem(Severity severity, String where, String message) {

    public enum Severity {
        ERROR,
        WARNING
    }

    public static ConfigProblem error(String where, String message) {
        return new ConfigProblem(Severity.ERROR, where, message);
    }

    public static ConfigProblem warning(String where, String message) {
        return new ConfigProblem(Severity.WARNING, where, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return severity.name().toLowerCase() + ": " + where + ": " + message;
    }
}
