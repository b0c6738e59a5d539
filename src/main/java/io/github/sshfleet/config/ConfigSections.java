package io.github.sshfleet.config;

import io.github.sshfleet.core.FleetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** The two structured sections of config.yaml, {@code tools:} and {@code groups:}, each validated with every problem reported. */
final class ConfigSections {

    private final List<ConfigProblem> problems;

    ConfigSections(List<ConfigProblem> problems) {
        this.problems = problems;
    }

    /**
     * {@code tools:} either a list of the groups to enable ({@code [exec, files]}) or a mapping of group to true/false
     * ({@code render: false}). Returns the disabled groups; unknown group names are reported with the valid ones.
     */
    java.util.Set<String> toolGroups(String where, org.yaml.snakeyaml.nodes.Node node) {
        java.util.Set<String> disabled = new java.util.TreeSet<>();
        java.util.List<String> groups = FleetConfig.TOOL_GROUPS;
        if (node instanceof org.yaml.snakeyaml.nodes.SequenceNode seq) {
            java.util.Set<String> enabled = new java.util.HashSet<>();
            for (org.yaml.snakeyaml.nodes.Node n : seq.getValue()) {
                String g = n instanceof ScalarNode sc ? sc.getValue().strip() : "";
                if (groups.contains(g)) {
                    enabled.add(g);
                } else {
                    problems.add(ConfigProblem.error(
                            where, "tools: unknown group '" + g + "' (groups: " + String.join(", ", groups) + ")"));
                }
            }
            groups.stream().filter(g -> !enabled.contains(g)).forEach(disabled::add);
        } else if (node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                String g =
                        t.getKeyNode() instanceof ScalarNode sc ? sc.getValue().strip() : "";
                String v = t.getValueNode() instanceof ScalarNode sc
                        ? sc.getValue().strip().toLowerCase()
                        : "";
                if (!groups.contains(g)) {
                    problems.add(ConfigProblem.error(
                            where, "tools: unknown group '" + g + "' (groups: " + String.join(", ", groups) + ")"));
                } else if (v.equals("false") || v.equals("off") || v.equals("no")) {
                    disabled.add(g);
                } else if (!(v.equals("true") || v.equals("on") || v.equals("yes"))) {
                    problems.add(ConfigProblem.error(where, "tools: " + g + " must be true or false, got '" + v + "'"));
                }
            }
        } else {
            problems.add(ConfigProblem.error(where, "tools: expected a list of groups or a mapping group: true/false"));
        }
        return java.util.Set.copyOf(disabled);
    }

    /**
     * {@code groups:} name -> a list (or comma string) of machine names, globs and @other groups. Names follow the
     * machine-name rule; a reference to a group defined nowhere here is a warning (it may come from a hosts file's
     * group= column); a cycle is an error.
     */
    Map<String, List<String>> hostGroups(String where, Node node) {
        Map<String, List<String>> groups = new java.util.LinkedHashMap<>();
        if (!(node instanceof MappingNode map)) {
            problems.add(ConfigProblem.error(
                    where, "groups: expected a mapping, e.g. groups: {web: [web-*], all-db: " + "[db-1, db-2]}"));
            return Map.of();
        }
        for (NodeTuple t : map.getValue()) {
            String at = where.substring(0, where.lastIndexOf(':') + 1)
                    + (t.getKeyNode().getStartMark().getLine() + 1);
            String name =
                    t.getKeyNode() instanceof ScalarNode sc ? sc.getValue().strip() : "";
            if (!HostsFile.isValidName(name)) {
                problems.add(ConfigProblem.error(
                        at,
                        "groups: " + FleetException.quote(name) + " is not a valid group "
                                + "name (letters, digits, '.', '_', '-')"));
                continue;
            }
            List<String> members = new ArrayList<>();
            if (t.getValueNode() instanceof org.yaml.snakeyaml.nodes.SequenceNode seq) {
                seq.getValue()
                        .forEach(n -> members.add(
                                n instanceof ScalarNode sc ? sc.getValue().strip() : ""));
            } else if (t.getValueNode() instanceof ScalarNode sc) {
                for (String m : sc.getValue().split(",")) {
                    members.add(m.strip());
                }
            }
            members.removeIf(String::isEmpty);
            if (members.isEmpty()) {
                problems.add(ConfigProblem.error(at, "groups: " + name + " has no members"));
                continue;
            }
            groups.put(name, List.copyOf(members));
        }
        for (Map.Entry<String, List<String>> g : groups.entrySet()) {
            for (String m : g.getValue()) {
                if (m.startsWith("@") && !groups.containsKey(m.substring(1))) {
                    problems.add(ConfigProblem.warning(
                            where,
                            "groups: " + g.getKey() + " names " + m + ", which is "
                                    + "not defined here; it must come from group= in the hosts file"));
                }
            }
            List<String> cycle = cycleFrom(g.getKey(), groups, new ArrayList<>());
            if (cycle != null) {
                problems.add(ConfigProblem.error(
                        where,
                        "groups: " + String.join(" -> ", cycle) + " is a cycle; "
                                + "groups may not contain themselves"));
                return Map.of();
            }
        }
        return groups;
    }

    private static List<String> cycleFrom(String group, Map<String, List<String>> groups, List<String> path) {
        if (path.contains(group)) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(group), path.size()));
            cycle.add(group);
            return cycle;
        }
        path.add(group);
        for (String m : groups.getOrDefault(group, List.of())) {
            if (m.startsWith("@")) {
                List<String> c = cycleFrom(m.substring(1), groups, path);
                if (c != null) {
                    return c;
                }
            }
        }
        path.remove(path.size() - 1);
        return null;
    }

    /** {@code readonly_commands:} a list of "program [subcommand...]" entries; each refused one is an error. */
    /**
     * kex: the key exchanges to offer, in order, as a list or comma-separated as ssh's KexAlgorithms. Each must be
     * one this build can do; the post-quantum hybrids (sntrup761x25519-sha512@openssh.com, mlkem768x25519-sha256)
     * are opt-in here because they cost about three times the CPU of curve25519-sha256 per connect.
     */
    List<String> kex(String where, Node node) {
        List<String> names = new ArrayList<>();
        if (node instanceof ScalarNode sc) {
            for (String n : sc.getValue().split(",")) {
                names.add(n.strip());
            }
        } else if (node instanceof org.yaml.snakeyaml.nodes.SequenceNode seq) {
            for (Node n : seq.getValue()) {
                names.add(n instanceof ScalarNode s ? s.getValue().strip() : "");
            }
        }
        List<String> known = new ArrayList<>();
        for (org.apache.sshd.common.kex.BuiltinDHFactories f : org.apache.sshd.common.kex.BuiltinDHFactories.VALUES) {
            if (f.isSupported()) {
                known.add(f.getName());
            }
        }
        names.removeIf(String::isEmpty);
        if (names.isEmpty()) {
            problems.add(ConfigProblem.error(
                    where, "kex: expected key exchange names, e.g. kex: [curve25519-sha256, ecdh-sha2-nistp256]"));
        }
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (known.contains(n)) {
                if (!out.contains(n)) {
                    out.add(n);
                }
            } else {
                problems.add(ConfigProblem.error(
                        where,
                        "kex: " + FleetException.quote(n) + " is not a key exchange this build offers"
                                + DidYouMean.nearest(n, known)
                                        .map(s -> " (did you mean " + s + "?)")
                                        .orElse("")
                                + "; known: " + String.join(", ", known)));
            }
        }
        return List.copyOf(out);
    }

    List<String> readonlyCommands(String where, Node node) {
        if (!(node instanceof org.yaml.snakeyaml.nodes.SequenceNode seq)) {
            problems.add(ConfigProblem.error(
                    where,
                    "readonly_commands: expected a list, e.g. readonly_commands: [\"docker ps\", \"zpool status\"]"));
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Node n : seq.getValue()) {
            String entry = n instanceof ScalarNode sc ? sc.getValue().strip() : "";
            java.util.Optional<String> problem = io.github.sshfleet.policy.ReadOnlyCommands.problemWith(entry);
            if (problem.isPresent()) {
                problems.add(ConfigProblem.error(where, "readonly_commands: " + problem.get()));
            } else {
                out.add(entry);
            }
        }
        return List.copyOf(out);
    }

    /**
     * revoked_host_keys: {@code value} as written ("" or none: no list), {@code file} where it points. Kept when unreadable, and reported as an error: dropping it would accept the very
     * keys it revokes. ssh refuses every host key then, and so does the verifier; --check-config says what it holds.
     */
    java.util.Optional<java.nio.file.Path> revokedHostKeys(String where, String value, java.nio.file.Path file) {
        if (value.isEmpty() || value.equalsIgnoreCase("none")) {
            return java.util.Optional.empty();
        }
        if (!java.nio.file.Files.isReadable(file)) {
            problems.add(ConfigProblem.error(
                    where,
                    "revoked_host_keys: " + file + " cannot be read, so no host key is accepted until it can (create "
                            + "it, fix its mode, or remove the key)"));
        }
        return java.util.Optional.of(file);
    }
}
