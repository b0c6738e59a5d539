package io.github.sshfleet.mcp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds strict JSON input schemas (additionalProperties: false) without hand-written JSON. Descriptions are written
 * for the agent: what the argument means, its unit and default.
 */
public final class Schema {

    private final Map<String, Object> properties = new LinkedHashMap<>();
    private final List<String> required = new ArrayList<>();

    public static Schema object() {
        return new Schema();
    }

    public Schema string(String name, String description, boolean isRequired) {
        return add(name, prop("string", description), isRequired);
    }

    // Numbers carry no minimum/maximum here: the bounds live in one place, the handler's Args call (which names the
    // range in its error), and every byte of a schema is paid by every agent on every tools/list.
    public Schema integer(String name, String description, Integer fallback) {
        return number(name, "integer", description, fallback);
    }

    /** An integer that may exceed 32 bits (file offsets). */
    public Schema longInteger(String name, String description, Long fallback) {
        return number(name, "integer", description, fallback);
    }

    /** A number that may have a fraction (seconds like 0.5). */
    public Schema number(String name, String description, Double fallback) {
        return number(name, "number", description, fallback);
    }

    private Schema number(String name, String type, String description, Number fallback) {
        Map<String, Object> p = prop(type, description);
        if (fallback != null) {
            p.put("default", fallback);
        }
        return add(name, p, false);
    }

    /** A string with a fixed set of values. */
    public Schema choice(String name, String description, List<String> values, String fallback) {
        Map<String, Object> p = prop("string", description);
        p.put("enum", values);
        if (fallback != null) {
            p.put("default", fallback);
        }
        return add(name, p, false);
    }

    /** A list of strings (e.g. glob patterns). */
    public Schema stringList(String name, String description) {
        Map<String, Object> p = prop("array", description);
        p.put("items", Map.of("type", "string"));
        return add(name, p, false);
    }

    /** An object of string values (e.g. environment variables). */
    public Schema stringMap(String name, String description) {
        Map<String, Object> p = prop("object", description);
        p.put("additionalProperties", Map.of("type", "string"));
        return add(name, p, false);
    }

    public Schema bool(String name, String description, boolean fallback) {
        Map<String, Object> p = prop("boolean", description);
        p.put("default", fallback);
        return add(name, p, false);
    }

    /**
     * host: one machine name/IP, a glob, "all", or a list of them. An empty name or list is refused by the host
     * selector with its own message, so the schema spends no bytes on minLength/minItems.
     */
    public Schema hosts(String name, String description) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("anyOf", List.of(Map.of("type", "string"), Map.of("type", "array", "items", Map.of("type", "string"))));
        p.put("description", description);
        return add(name, p, true);
    }

    /** Marks properties already added as required (for kinds whose builder has no flag, e.g. integers). */
    public Schema require(String... names) {
        for (String n : names) {
            if (!properties.containsKey(n)) {
                throw new IllegalArgumentException("no property " + n);
            }
            if (!required.contains(n)) {
                required.add(n);
            }
        }
        return this;
    }

    /** "(default 60)" in prose where the schema states the default: each default is said once, in the schema. */
    private static final java.util.regex.Pattern SPOKEN_DEFAULT =
            java.util.regex.Pattern.compile("\\s*\\(default[^()]*\\)");

    private Schema add(String name, Map<String, Object> p, boolean isRequired) {
        if (p.containsKey("default") && p.get("description") instanceof String d) {
            p.put("description", SPOKEN_DEFAULT.matcher(d).replaceAll(""));
        }
        properties.put(name, p);
        if (isRequired) {
            required.add(name);
        }
        return this;
    }

    private static Map<String, Object> prop(String type, String description) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", type);
        if (description != null) { // null: the name, type and default say it all
            p.put("description", description);
        }
        return p;
    }

    public Map<String, Object> build() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "object");
        s.put("properties", properties);
        if (!required.isEmpty()) {
            s.put("required", required);
        }
        s.put("additionalProperties", false);
        return s;
    }
}
