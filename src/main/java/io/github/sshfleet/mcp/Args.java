package io.github.sshfleet.mcp;

import io.github.sshfleet.core.FleetException;
import java.time.Duration;
import java.util.Map;

/**
 * Typed, checked access to a tool call's arguments. {@link ArgumentCheck} has held them to the tool's schema first
 * (names, types, enums, required); this is the second net, for the rules a schema here does not state (ranges,
 * non-empty), and its messages name the tool, the argument, the rule and the value.
 */
public final class Args {

    private final String tool;
    private final Map<String, Object> values;

    public Args(String tool, Map<String, Object> values) {
        this.tool = tool;
        this.values = values == null ? Map.of() : values;
    }

    /** The tool these arguments were given to (errors and policy decisions name it). */
    public String tool() {
        return tool;
    }

    public Object raw(String name) {
        return values.get(name);
    }

    public boolean has(String name) {
        return values.get(name) != null;
    }

    public String string(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw bad(name, "is required");
        }
        if (!(v instanceof String s)) {
            throw bad(name, "must be a string, got " + describe(v));
        }
        return s;
    }

    public String string(String name, String fallback) {
        return has(name) ? string(name) : fallback;
    }

    public String nonBlank(String name) {
        String s = string(name);
        if (s.isBlank()) {
            throw bad(name, "must not be empty");
        }
        return s;
    }

    public int integer(String name, int fallback, int min, int max) {
        return (int) longInteger(name, fallback, min, max);
    }

    public long longInteger(String name, long fallback, long min, long max) {
        Object v = values.get(name);
        if (v == null) {
            return fallback;
        }
        long n;
        if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
            n = num.longValue();
        } else if (v instanceof String s && s.strip().matches("-?\\d{1,18}")) {
            n = Long.parseLong(s.strip());
        } else {
            throw bad(name, "must be an integer from " + min + " to " + max + ", got " + describe(v));
        }
        if (n < min || n > max) {
            throw bad(name, "must be from " + min + " to " + max + ", got " + n);
        }
        return n;
    }

    public double decimal(String name, double fallback, double min, double max) {
        Object v = values.get(name);
        if (v == null) {
            return fallback;
        }
        double d;
        if (v instanceof Number num) {
            d = num.doubleValue();
        } else if (v instanceof String s && s.strip().matches("-?\\d{1,9}(\\.\\d{1,9})?")) {
            d = Double.parseDouble(s.strip());
        } else {
            throw bad(name, "must be a number from " + min + " to " + max + ", got " + describe(v));
        }
        if (!(d >= min && d <= max)) {
            throw bad(name, "must be from " + min + " to " + max + ", got " + d);
        }
        return d;
    }

    /** A list of strings (a single string is taken as a list of one); empty when absent. */
    public java.util.List<String> stringList(String name) {
        Object v = values.get(name);
        if (v == null) {
            return java.util.List.of();
        }
        if (v instanceof String s) {
            return java.util.List.of(s);
        }
        if (!(v instanceof java.util.List<?> l) || l.stream().anyMatch(x -> !(x instanceof String))) {
            throw bad(name, "must be a list of strings, got " + describe(v));
        }
        return l.stream().map(String.class::cast).toList();
    }

    /** An object whose values are all strings; empty when absent. */
    public Map<String, String> stringMap(String name) {
        Object v = values.get(name);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw bad(name, "must be an object of string values, got " + describe(v));
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw bad(
                        name,
                        "must have string values; " + FleetException.quote(e.getKey()) + " is "
                                + describe(e.getValue()));
            }
            out.put(String.valueOf(e.getKey()), s);
        }
        return out;
    }

    /** An optional string: null when absent or blank. */
    public String optional(String name) {
        if (!has(name)) {
            return null;
        }
        String s = string(name);
        return s.isBlank() ? null : s;
    }

    /** A timeout in seconds, as the reference's tools take it. */
    public Duration seconds(String name, Duration fallback, int maxSeconds) {
        return Duration.ofSeconds(integer(name, (int) fallback.toSeconds(), 1, maxSeconds));
    }

    public boolean bool(String name, boolean fallback) {
        Object v = values.get(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw bad(name, "must be true or false, got " + describe(v));
    }

    private FleetException bad(String name, String rule) {
        return FleetException.badArgument(tool + ": argument '" + name + "' " + rule + ".");
    }

    private static String describe(Object v) {
        return FleetException.quote(v) + " (" + v.getClass().getSimpleName().toLowerCase() + ")";
    }
}
