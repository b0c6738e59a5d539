package io.github.sshfleet.config;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.policy.CommandRule;
import io.github.sshfleet.policy.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * {@code policy:} a list of entries, each validated with every problem reported at its own line. An entry that has
 * any error is replaced by one that refuses everything on its machines ({@code restricted}, nothing allowed): a typo
 * in a guard rail must narrow what an agent may do, never widen it.
 */
final class PolicySection {

    private static final List<String> KEYS =
            List.of("machines", "mode", "allow", "deny", "confirm", "write_paths", "allow_scripts");

    private final List<ConfigProblem> problems;

    PolicySection(List<ConfigProblem> problems) {
        this.problems = problems;
    }

    Policy read(String where, Node node) {
        if (!(node instanceof SequenceNode seq)) {
            problems.add(ConfigProblem.error(
                    where,
                    "policy: expected a list of entries, e.g. policy: [{machines: \"db-*\", mode: readonly}]; "
                            + "until it is one, everything is refused on every machine"));
            return new Policy(List.of(refuseAll(1, List.of("*"))), true);
        }
        List<Policy.Entry> entries = new ArrayList<>();
        for (Node n : seq.getValue()) {
            String at = line(where, n);
            int index = entries.size() + 1;
            if (!(n instanceof MappingNode map)) {
                problems.add(
                        ConfigProblem.error(at, "policy: entry " + index + " must be a mapping (machines:, mode:)"));
                continue;
            }
            entries.add(entry(at, index, map));
        }
        return new Policy(entries, true); // confirm_defaults is applied by ConfigLoader once the file is read
    }

    // Long on purpose: one entry's keys in one switch, each reporting its own problem; split, the fail-closed
    // fallback at the end would have to be repeated.
    private Policy.Entry entry(String at, int index, MappingNode map) {
        int before = errors();
        List<String> machines = List.of();
        Policy.Mode mode = Policy.Mode.FULL;
        List<CommandRule> allow = List.of();
        List<CommandRule> deny = List.of();
        List<CommandRule> confirm = List.of();
        List<String> writePaths = List.of();
        boolean allowScripts = false;
        Set<String> seen = new java.util.HashSet<>();
        for (NodeTuple t : map.getValue()) {
            String key = t.getKeyNode() instanceof ScalarNode sc ? sc.getValue().strip() : "";
            String kat = line(at, t.getKeyNode());
            if (!seen.add(key)) {
                problems.add(ConfigProblem.error(kat, "policy: entry " + index + " has " + key + " twice"));
                continue;
            }
            switch (key) {
                case "machines" -> machines = strings(kat, "machines", t.getValueNode());
                case "mode" -> {
                    String v = scalar(t.getValueNode()).toLowerCase(Locale.ROOT);
                    Optional<Policy.Mode> m = java.util.Arrays.stream(Policy.Mode.values())
                            .filter(x -> x.configName().equals(v))
                            .findFirst();
                    if (m.isPresent()) {
                        mode = m.get();
                    } else {
                        problems.add(ConfigProblem.error(
                                kat,
                                "policy: mode must be full, readonly or restricted, got " + FleetException.quote(v)));
                    }
                }
                case "allow" -> allow = rules(kat, "allow", t.getValueNode());
                case "deny" -> deny = rules(kat, "deny", t.getValueNode());
                case "confirm" -> confirm = rules(kat, "confirm", t.getValueNode());
                case "write_paths" -> writePaths = paths(kat, t.getValueNode());
                case "allow_scripts" -> {
                    String v = scalar(t.getValueNode()).toLowerCase(Locale.ROOT);
                    if (Set.of("true", "yes", "on").contains(v)) {
                        allowScripts = true;
                    } else if (!Set.of("false", "no", "off").contains(v)) {
                        problems.add(ConfigProblem.error(
                                kat, "policy: allow_scripts must be true or false, got " + FleetException.quote(v)));
                    }
                }
                default ->
                    problems.add(ConfigProblem.error(
                            kat,
                            "policy: unknown key " + FleetException.quote(key)
                                    + DidYouMean.nearest(key, KEYS)
                                            .map(s -> " (did you mean " + s + "?)")
                                            .orElse("")
                                    + "; an entry takes " + String.join(", ", KEYS)));
            }
        }
        if (machines.isEmpty()) {
            problems.add(ConfigProblem.error(
                    at, "policy: entry " + index + " needs machines: (a name, glob, @group or a list)"));
        }
        if (mode != Policy.Mode.RESTRICTED && (!allow.isEmpty() || !writePaths.isEmpty() || allowScripts)) {
            problems.add(ConfigProblem.error(
                    at,
                    "policy: entry " + index + " sets allow, write_paths or allow_scripts, which only mode "
                            + "restricted uses; its mode is " + mode.configName()));
        }
        if (errors() > before) {
            List<String> on = machines.isEmpty() ? List.of("*") : machines;
            problems.add(ConfigProblem.warning(
                    at,
                    "policy: entry " + index + " has errors, so it refuses everything on " + String.join(", ", on)
                            + " until it is fixed"));
            return refuseAll(index, on);
        }
        return new Policy.Entry(index, machines, mode, allow, deny, writePaths, allowScripts, confirm);
    }

    private static Policy.Entry refuseAll(int index, List<String> machines) {
        return new Policy.Entry(
                index, machines, Policy.Mode.RESTRICTED, List.of(), List.of(), List.of(), false, List.of());
    }

    private int errors() {
        return (int) problems.stream().filter(ConfigProblem::isError).count();
    }

    private List<CommandRule> rules(String at, String key, Node node) {
        List<CommandRule> out = new ArrayList<>();
        for (String text : strings(at, key, node)) {
            CommandRule.Result r = CommandRule.parse(text);
            if (r.rule() == null) {
                problems.add(ConfigProblem.error(at, "policy: " + key + ": " + r.problem()));
            } else {
                out.add(r.rule());
            }
        }
        return List.copyOf(out);
    }

    private List<String> paths(String at, Node node) {
        List<String> out = new ArrayList<>();
        for (String p : strings(at, "write_paths", node)) {
            if (!p.startsWith("/") || p.contains("/../") || p.endsWith("/..")) {
                problems.add(ConfigProblem.error(
                        at,
                        "policy: write_paths: " + FleetException.quote(p) + " must be an absolute path without .."));
            } else {
                out.add(p);
            }
        }
        return List.copyOf(out);
    }

    /** A scalar or a list of scalars; blank items are errors. */
    private List<String> strings(String at, String key, Node node) {
        List<String> out = new ArrayList<>();
        if (node instanceof ScalarNode sc) {
            out.add(sc.getValue().strip());
        } else if (node instanceof SequenceNode seq) {
            for (Node n : seq.getValue()) {
                out.add(scalar(n));
            }
        } else {
            problems.add(ConfigProblem.error(at, "policy: " + key + " must be a string or a list of strings"));
            return List.of();
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            problems.add(ConfigProblem.error(at, "policy: " + key + " has an empty item"));
            out.removeIf(String::isEmpty);
        }
        return List.copyOf(out);
    }

    private static String scalar(Node n) {
        return n instanceof ScalarNode sc ? sc.getValue().strip() : "";
    }

    private static String line(String where, Node n) {
        return where.substring(0, where.lastIndexOf(':') + 1)
                + (n.getStartMark().getLine() + 1);
    }
}
