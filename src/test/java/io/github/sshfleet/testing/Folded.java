package io.github.sshfleet.testing;

import java.util.List;
import java.util.Map;

/** Reads a folded fan-out result (structuredContent: one row per host pointing at its group, outputs in groups). */
public final class Folded {

    private Folded() {}

    /** The row of {@code host}, with its group's stdout, stderr, message and command id merged in. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> host(Object structured, String host) {
        Map<String, Object> s = (Map<String, Object>) structured;
        List<Map<String, Object>> rows = (List<Map<String, Object>>) s.get("results");
        Map<String, Object> row = rows.stream()
                .filter(r -> host.equals(r.get("host")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + host + " in " + rows));
        if (!s.containsKey("groups")) {
            return row; // a single-host call: the row has it all
        }
        Map<String, Object> merged = new java.util.LinkedHashMap<>(
                ((List<Map<String, Object>>) s.get("groups")).get((Integer) row.get("group")));
        merged.putAll(row);
        return merged;
    }

    /** Every host's merged row, in host order. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> hosts(Object structured) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) ((Map<String, Object>) structured).get("results");
        return rows.stream().map(r -> host(structured, (String) r.get("host"))).toList();
    }
}
