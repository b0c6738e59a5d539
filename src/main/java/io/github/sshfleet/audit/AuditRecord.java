package io.github.sshfleet.audit;

import io.github.sshfleet.core.Secrets;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an audit line may say about a call, decided for every tool in one place: arguments that carry secrets or
 * payloads are replaced by their size and sha256 (so a later copy can still be matched), env by its names only, and
 * every other string has the known machine secrets masked and is bounded. A fan-out's hosts are kept as a compact
 * list of host, exit code and error kind.
 */
final class AuditRecord {

    /** Payloads and secrets: recorded as {bytes, sha256}, never as text. */
    static final Set<String> PAYLOADS = Secrets.ARGUMENTS;

    /** A value longer than this is cut (a command line is rarely longer; the sha256 of the whole is kept). */
    static final int MAX_TEXT = 2000;

    /** Hosts listed per call; past it, counts by outcome. */
    static final int MAX_HOSTS = 1000;

    private AuditRecord() {}

    static Map<String, Object> arguments(Map<String, Object> args) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (args == null) {
            return out;
        }
        // env values are the call's own secrets: masked wherever else they appear (a command that names one).
        List<String> envValues = args.get("env") instanceof Map<?, ?> env
                ? env.values().stream().map(String::valueOf).toList()
                : List.of();
        for (Map.Entry<String, Object> e : new java.util.TreeMap<>(args).entrySet()) {
            String name = e.getKey();
            Object v = e.getValue();
            // Of any type: a call that gives one as a list or a number is refused after this line is written.
            if (PAYLOADS.contains(name) && v != null) {
                out.put(name, digest(v instanceof String s ? s : String.valueOf(v)));
            } else if (name.equals("env") && v instanceof Map<?, ?> env) {
                out.put(
                        "env_names",
                        new TreeSet<>(env.keySet().stream().map(String::valueOf).toList()));
            } else if (name.equals("env") && v != null) {
                out.put("env", digest(String.valueOf(v)));
            } else {
                out.put(name, value(v, 0, envValues));
            }
        }
        return out;
    }

    private static Object value(Object v, int depth, List<String> envValues) {
        if (v instanceof String s) {
            return text(Secrets.mask(s, envValues), MAX_TEXT);
        }
        if (v instanceof Number || v instanceof Boolean || v == null) {
            return v;
        }
        if (v instanceof List<?> list && depth < 2) {
            List<Object> out = new ArrayList<>();
            for (Object o : list.subList(0, Math.min(list.size(), 200))) {
                out.add(value(o, depth + 1, envValues));
            }
            if (list.size() > 200) {
                out.add("... " + (list.size() - 200) + " more");
            }
            return out;
        }
        if (v instanceof Map<?, ?> map && depth < 2) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, x) -> out.put(String.valueOf(k), value(x, depth + 1, envValues)));
            return out;
        }
        return text(String.valueOf(v), 200);
    }

    /** Secrets masked, then bounded with the sha256 of the whole (masked) text when cut. */
    static String text(String s, int max) {
        String masked = Secrets.mask(s);
        if (masked.length() <= max) {
            return masked;
        }
        return masked.substring(0, max) + "... [" + masked.length() + " chars, sha256 " + AuditVerifier.sha256(masked)
                + "]";
    }

    private static Map<String, Object> digest(String s) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("bytes", s.getBytes(StandardCharsets.UTF_8).length);
        d.put("sha256", AuditVerifier.sha256(s));
        return d;
    }

    /** From exec's structured result ({results: [{host, exit_code, error}, ...]}): who did what. */
    static Optional<Object> hosts(Object structured) {
        if (!(structured instanceof Map<?, ?> m) || !(m.get("results") instanceof List<?> rows)) {
            return Optional.empty();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, Integer> rest = new java.util.TreeMap<>();
        for (Object o : rows) {
            if (!(o instanceof Map<?, ?> row)) {
                continue;
            }
            Object error = row.get("error");
            Object exit = row.get("exit_code");
            if (out.size() < MAX_HOSTS) {
                Map<String, Object> h = new LinkedHashMap<>();
                h.put("host", String.valueOf(row.get("host")));
                if (exit != null) {
                    h.put("exit_code", exit);
                }
                if (error != null) {
                    h.put("error", String.valueOf(error));
                }
                out.add(h);
            } else {
                rest.merge(error != null ? String.valueOf(error) : "exit " + exit, 1, Integer::sum);
            }
        }
        if (rest.isEmpty()) {
            return Optional.of(out);
        }
        Map<String, Object> both = new LinkedHashMap<>();
        both.put("listed", out);
        both.put("more", rest);
        return Optional.of(both);
    }
}
