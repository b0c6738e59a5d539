package io.github.sshfleet.fleet;

import io.github.sshfleet.core.FleetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns a tool's {@code host} argument into machines: a name or IP (case-insensitive), a list of them, a
 * comma-separated string, a glob ({@code web-*}, {@code db-?}) or {@code all}. Order follows the argument, then the
 * hosts file; a machine selected twice runs once.
 */
public final class HostSelector {

    private HostSelector() {}

    public static List<Machine> select(Object hostArg, List<Machine> machines) {
        return select(hostArg, machines, Map.of());
    }

    /** {@code groups}: group -> member refs (names, globs, @groups), for "@name" arguments. */
    public static List<Machine> select(Object hostArg, List<Machine> machines, Map<String, List<String>> groups) {
        List<String> refs = new ArrayList<>();
        if (hostArg instanceof String s) {
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    refs.add(part.strip());
                }
            }
        } else if (hostArg instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof String s) || s.isBlank()) {
                    throw FleetException.badArgument("host: every list item must be a machine name, IP or glob");
                }
                refs.add(s.strip());
            }
        }
        if (refs.isEmpty()) {
            throw FleetException.badArgument("host: give a machine name or IP, a list, a glob like 'web-*', or 'all'");
        }
        Map<String, Machine> picked = new LinkedHashMap<>();
        for (String ref : refs) {
            List<Machine> matched = match(ref, machines, groups, 0);
            if (matched.isEmpty()) {
                throw unknown(ref, machines);
            }
            matched.forEach(m -> picked.putIfAbsent(m.name(), m));
        }
        return List.copyOf(picked.values());
    }

    /** Exactly one machine, for tools that act on a single host. */
    public static Machine one(String ref, List<Machine> machines) {
        return one(ref, machines, Map.of());
    }

    public static Machine one(String ref, List<Machine> machines, Map<String, List<String>> groups) {
        if (ref == null || ref.isBlank()) {
            throw FleetException.badArgument("host: give a machine name or IP");
        }
        List<Machine> matched = match(ref.strip(), machines, groups, 0);
        if (matched.isEmpty()) {
            throw unknown(ref, machines);
        }
        if (matched.size() > 1) {
            throw FleetException.badArgument("host " + FleetException.quote(ref) + " matches " + matched.size()
                    + " machines; this tool takes exactly one: " + names(matched));
        }
        return matched.get(0);
    }

    /**
     * Whether a reference (name, IP, glob, @group, all) selects {@code m}: for policy entries. A group that does not
     * exist selects every machine, so an entry meant to narrow what may run never silently applies to none.
     */
    public static boolean selects(String ref, Machine m, Map<String, List<String>> groups) {
        try {
            return !match(ref, List.of(m), groups, 0).isEmpty();
        } catch (FleetException unknownGroup) {
            return true;
        }
    }

    static List<Machine> match(String ref, List<Machine> machines) {
        return match(ref, machines, Map.of(), 0);
    }

    /** A group's members, each resolved like a host argument; cycles were refused at load (depth is a backstop). */
    private static List<Machine> group(
            String name, List<Machine> machines, Map<String, List<String>> groups, int depth) {
        List<String> members = groups.get(name);
        if (members == null || depth > 16) {
            throw new FleetException(
                    FleetException.Kind.UNKNOWN_HOST,
                    "unknown group @" + FleetException.quote(name).replace("'", "") + "; groups: "
                            + (groups.isEmpty()
                                    ? "none (define them under groups: in "
                                            + "config.yaml, or with group= on hosts lines)"
                                    : String.join(", ", new java.util.TreeSet<>(groups.keySet()))));
        }
        Map<String, Machine> picked = new LinkedHashMap<>();
        for (String m : members) {
            match(m, machines, groups, depth + 1).forEach(x -> picked.putIfAbsent(x.name(), x));
        }
        return List.copyOf(picked.values());
    }

    static List<Machine> match(String ref, List<Machine> machines, Map<String, List<String>> groups, int depth) {
        if (ref.startsWith("@")) {
            return group(ref.substring(1), machines, groups, depth);
        }
        if (ref.equalsIgnoreCase("all")) {
            return machines;
        }
        if (ref.contains("*") || ref.contains("?")) {
            Pattern glob = glob(ref);
            return machines.stream()
                    .filter(m -> glob.matcher(m.name()).matches())
                    .toList();
        }
        // Names first: a machine named like another's IP is unusual, but the name is what the agent meant.
        for (Machine m : machines) {
            if (m.name().equalsIgnoreCase(ref)) {
                return List.of(m);
            }
        }
        String lowered = ref.toLowerCase(Locale.ROOT);
        return machines.stream()
                .filter(m -> m.host().toLowerCase(Locale.ROOT).equals(lowered)
                        || m.address().toLowerCase(Locale.ROOT).equals(lowered))
                .toList();
    }

    private static Pattern glob(String ref) {
        StringBuilder re = new StringBuilder();
        for (char c : ref.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE);
    }

    private static FleetException unknown(String ref, List<Machine> machines) {
        if (machines.isEmpty()) {
            return new FleetException(
                    FleetException.Kind.UNKNOWN_HOST,
                    "unknown host " + FleetException.quote(ref) + ": no machines are configured. "
                            + MachineStore.SETUP_HINT);
        }
        return new FleetException(
                FleetException.Kind.UNKNOWN_HOST,
                "unknown host " + FleetException.quote(ref) + "; known: " + names(machines)
                        + ". Use list_machines to see addresses, or add_host to register a new machine.");
    }

    static String names(List<Machine> machines) {
        int limit = 40;
        String shown = String.join(
                ", ", machines.stream().limit(limit).map(Machine::name).toList());
        return machines.size() > limit ? shown + ", ... (" + machines.size() + " in all)" : shown;
    }
}
