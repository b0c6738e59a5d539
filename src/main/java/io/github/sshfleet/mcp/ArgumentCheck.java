package io.github.sshfleet.mcp;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.Secrets;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tool's input schema, checked against each call's arguments the way JSON Schema reads it, for exactly the keywords
 * {@link Schema} writes: type, enum, properties, required, additionalProperties, items and anyOf (description and
 * default are annotations). A schema with any other keyword is refused when the tool is built, so a new kind of
 * argument cannot go unchecked; ArgumentCheckTest holds every tool's schema to the SDK's own validator (networknt)
 * on the same inputs.
 * <p>
 * Why not the SDK's validator: building it and compiling the first schema cost ~100 ms of CPU on the path of the
 * first tool call of every start (50 ms of wall time on 2 cores), for seven keywords. Here the messages also name the
 * tool, the argument and what it takes, and a refusal goes through {@link Results} and the audit trail like any
 * other failed call.
 */
final class ArgumentCheck {

    private static final Set<String> ANNOTATIONS = Set.of("description", "default", "title");
    private static final Set<String> TYPES = Set.of("string", "integer", "number", "boolean", "array", "object");

    /** One (sub)schema, compiled; null fields mean the keyword is absent. */
    private record Node(
            String type,
            List<Object> allowed,
            Map<String, Node> properties,
            List<String> required,
            boolean closed,
            Node additional,
            Node items,
            List<Node> anyOf) {}

    private final String tool;
    private final Node root;

    private ArgumentCheck(String tool, Node root) {
        this.tool = tool;
        this.root = root;
    }

    /** Compiles {@code schema}; IllegalArgumentException names a keyword or value outside what this reads. */
    static ArgumentCheck of(String tool, Map<String, Object> schema) {
        return new ArgumentCheck(tool, compile(schema, "the schema"));
    }

    /** Throws a bad-argument {@link FleetException} for the first problem, in the schema's order. */
    void check(Map<String, Object> arguments) {
        String problem = problem(root, arguments == null ? Map.of() : arguments, null);
        if (problem != null) {
            throw FleetException.badArgument(tool + ": " + problem + ".");
        }
    }

    /** The first problem as a sentence without the tool's name (null: none); for the SDK's validator slot. */
    String problem(Object value) {
        return problem(root, value, null);
    }

    @SuppressWarnings("unchecked")
    private static Node compile(Object raw, String where) {
        if (!(raw instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(where + " is not an object");
        }
        for (Object k : m.keySet()) {
            if (!ANNOTATIONS.contains(k)
                    && !Set.of("type", "enum", "properties", "required", "additionalProperties", "items", "anyOf")
                            .contains(k)) {
                throw new IllegalArgumentException(where + " uses '" + k + "', which ArgumentCheck does not read");
            }
        }
        Object type = m.get("type");
        if (type != null && !TYPES.contains(type)) {
            throw new IllegalArgumentException(where + " has type " + type);
        }
        Map<String, Node> properties = null;
        if (m.get("properties") instanceof Map<?, ?> ps) {
            properties = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ps.entrySet()) {
                properties.put((String) e.getKey(), compile(e.getValue(), "property " + e.getKey()));
            }
        }
        Object additional = m.get("additionalProperties");
        List<Node> anyOf = null;
        if (m.get("anyOf") instanceof List<?> alternatives) {
            anyOf = new ArrayList<>();
            for (Object a : alternatives) {
                anyOf.add(compile(a, where + "'s anyOf"));
            }
        }
        return new Node(
                (String) type,
                m.get("enum") == null ? null : List.copyOf((List<Object>) m.get("enum")),
                properties,
                m.get("required") == null ? List.of() : List.copyOf((List<String>) m.get("required")),
                Boolean.FALSE.equals(additional),
                additional instanceof Map<?, ?> ? compile(additional, where + "'s values") : null,
                m.get("items") == null ? null : compile(m.get("items"), where + "'s items"),
                anyOf);
    }

    /** {@code name}: the argument's path (null for the arguments object itself). */
    private static String problem(Node n, Object v, String name) {
        if (n.type() != null && !is(n.type(), v)) {
            return (name == null ? "the arguments" : "argument '" + name + "'") + " must be " + noun(n) + ", got "
                    + describe(v, name);
        }
        if (n.allowed() != null && !n.allowed().contains(v)) {
            return "argument '" + name + "' must be one of "
                    + String.join(
                            ", ", n.allowed().stream().map(String::valueOf).toList()) + ", got " + describe(v, name);
        }
        if (n.anyOf() != null && n.anyOf().stream().noneMatch(a -> problem(a, v, name) == null)) {
            return "argument '" + name + "' must be "
                    + String.join(
                            " or ", n.anyOf().stream().map(ArgumentCheck::noun).toList()) + ", got "
                    + describe(v, name);
        }
        if (v instanceof Map<?, ?> map) {
            return objectProblem(n, map, name);
        }
        if (v instanceof List<?> list && n.items() != null) {
            for (int i = 0; i < list.size(); i++) {
                String p = problem(n.items(), list.get(i), name + "[" + i + "]");
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    private static String objectProblem(Node n, Map<?, ?> map, String name) {
        for (String r : n.required()) {
            if (!map.containsKey(r)) {
                return "argument '" + path(name, r) + "' is required";
            }
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            Node p = n.properties() == null ? null : n.properties().get(key);
            if (p == null && n.closed()) {
                return FleetException.quote(key) + " is not an argument"
                        + (name == null ? "" : " of '" + name + "'") + "; the arguments are: "
                        + String.join(
                                ", ",
                                n.properties() == null
                                        ? List.of()
                                        : n.properties().keySet());
            }
            Node rule = p != null ? p : n.additional();
            String problem = rule == null ? null : problem(rule, e.getValue(), path(name, key));
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String path(String parent, String key) {
        return parent == null ? key : parent + "." + key;
    }

    /** JSON Schema's types over what Jackson makes of JSON: an integer is any number with no fraction. */
    private static boolean is(String type, Object v) {
        return switch (type) {
            case "string" -> v instanceof String;
            case "boolean" -> v instanceof Boolean;
            case "array" -> v instanceof List<?>;
            case "object" -> v instanceof Map<?, ?>;
            case "number" -> v instanceof Number;
            case "integer" -> isInteger(v);
            default -> false;
        };
    }

    private static boolean isInteger(Object v) {
        if (v instanceof Integer
                || v instanceof Long
                || v instanceof Short
                || v instanceof Byte
                || v instanceof BigInteger) {
            return true;
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return Double.isFinite(d) && d == Math.rint(d);
        }
        return v instanceof BigDecimal b && b.stripTrailingZeros().scale() <= 0;
    }

    private static String noun(Node n) {
        if (n.type() == null) {
            return "as described";
        }
        return switch (n.type()) {
            case "integer" -> "an integer";
            case "array" -> n.items() != null && "string".equals(n.items().type()) ? "a list of strings" : "a list";
            case "object" ->
                n.additional() != null && "string".equals(n.additional().type())
                        ? "an object of string values"
                        : "an object";
            case "boolean" -> "true or false";
            default -> "a " + n.type();
        };
    }

    /** The value quoted by its prefix; for a secret, a payload or an env value only its type (see Secrets.ARGUMENTS). */
    private static String describe(Object v, String name) {
        String root = name == null ? "" : name.split("[.\\[]", 2)[0];
        boolean secret = Secrets.ARGUMENTS.contains(root) || root.equals("env");
        String type = v == null
                ? "null"
                : v instanceof String
                        ? "string"
                        : v instanceof Boolean
                                ? "boolean"
                                : v instanceof List<?> ? "array" : v instanceof Map<?, ?> ? "object" : "number";
        if (v == null) {
            return "null";
        }
        return secret ? "a value of type " + type + " (not shown)" : FleetException.quote(v) + " (" + type + ")";
    }
}
