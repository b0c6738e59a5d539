package io.github.sshfleet.config;

import io.github.sshfleet.core.FleetException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads config.yaml into a {@link FleetConfig}. Every problem is collected (with file:line) rather than stopping at
 * the first; a bad value falls back to its default so the server still starts, and {@code --check-config} reports it.
 * The YAML is only composed into nodes (never constructed into objects), which keeps line numbers and is safe.
 */
public final class ConfigLoader {

    /**
     * The config that was loaded and everything wrong with it. {@code unusable} is set when the file could not be
     * parsed at all: then no machines are offered (never another hosts file), and every tool says why.
     */
    public record Loaded(FleetConfig config, List<ConfigProblem> problems, ConfigProblem unusable) {
        Loaded(FleetConfig config, List<ConfigProblem> problems) {
            this(config, problems, null);
        }

        public boolean hasErrors() {
            return problems.stream().anyMatch(ConfigProblem::isError);
        }
    }

    /** Every top-level key config.yaml may have (unknown ones get the nearest of these suggested). */
    static final List<String> KEYS = List.of(
            "auth_file",
            "status_url",
            "owners_url",
            "known_hosts",
            "default_port",
            "host_key_policy",
            "connect_timeout",
            "command_timeout",
            "idle_timeout",
            "keepalive_interval",
            "metadata_timeout",
            "max_output_bytes",
            "max_channels_per_host",
            "max_parallel_hosts",
            "max_call_output_bytes",
            "shell_idle_timeout",
            "async_after",
            "use_ssh_config",
            "allow_adhoc_hosts",
            "ssh_config",
            "ssh_agent",
            "guide_output_dir",
            "local_root",
            "tools",
            "groups");

    /** Keys later capabilities own: accepted quietly here so enabling them does not warn. */
    private static final Set<String> RESERVED_KEYS = Set.of();

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private final Path home;
    private final List<ConfigProblem> problems = new ArrayList<>();

    private ConfigLoader(Path home) {
        this.home = home;
    }

    /** Where the config lives: $SSH_FLEET_CONFIG, else ~/.ssh-fleet/config.yaml. */
    public static Path configPath(Map<String, String> env, Path home) {
        String explicit = env.get("SSH_FLEET_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return expand(explicit.trim(), home);
        }
        return home.resolve(".ssh-fleet").resolve("config.yaml");
    }

    public static Loaded load(Map<String, String> env, Path home) {
        return new ConfigLoader(home).read(configPath(env, home), env.containsKey("SSH_FLEET_CONFIG"));
    }

    /** Loads one file; a missing file is fine (defaults) unless it was named explicitly. */
    public static Loaded load(Path file, boolean explicit, Path home) {
        return new ConfigLoader(home).read(file, explicit);
    }

    private Loaded read(Path file, boolean explicit) {
        FleetConfig d = FleetConfig.defaults(home);
        if (!Files.exists(file)) {
            if (explicit) {
                problems.add(
                        ConfigProblem.error(file.toString(), "SSH_FLEET_CONFIG names this file but it does not exist"));
            }
            return new Loaded(d, List.copyOf(problems));
        }
        MappingNode root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Node node = new Yaml(new SafeConstructor(new LoaderOptions())).compose(reader);
            if (node == null) {
                return new Loaded(withSource(d, file), List.copyOf(problems)); // empty file: all defaults
            }
            if (!(node instanceof MappingNode mapping)) {
                problems.add(ConfigProblem.error(file.toString(), "expected a mapping of keys (auth_file: ..., ...)"));
                return new Loaded(withSource(d, file), List.copyOf(problems));
            }
            root = mapping;
        } catch (org.yaml.snakeyaml.error.MarkedYAMLException e) {
            ConfigProblem p = syntaxError(file, e);
            problems.add(p);
            return new Loaded(withSource(d, file), List.copyOf(problems), p);
        } catch (IOException | RuntimeException e) {
            ConfigProblem p = ConfigProblem.error(
                    file.toString(),
                    "cannot read: " + e.getMessage().lines().findFirst().orElse(e.toString()));
            problems.add(p);
            return new Loaded(withSource(d, file), List.copyOf(problems), p);
        }

        Path authFile = d.authFile();
        String statusUrl = null;
        String ownersUrl = null;
        int defaultPort = d.defaultPort();
        Path knownHosts = d.knownHosts();
        HostKeyPolicy policy = d.hostKeyPolicy();
        Duration connect = d.connectTimeout();
        Duration idle = d.idleTimeout();
        Duration keepalive = d.keepaliveInterval();
        Duration metadata = d.metadataTimeout();
        int maxOutput = d.maxOutputBytes();
        int maxChannels = d.maxChannelsPerHost();
        int maxParallel = d.maxParallelHosts();
        int maxCallOutput = d.maxCallOutputBytes();
        Map<String, List<String>> groups = d.groups();
        Optional<Path> localRoot = d.localRoot();
        Duration shellIdle = d.shellIdleTimeout();
        Path guideDir = d.guideDir();
        Duration asyncAfter = d.asyncAfter();
        java.util.Set<String> disabledTools = d.disabledTools();
        String sshAgent = d.sshAgent();
        Boolean useSshConfig = null;
        boolean adhoc = d.allowAdhocHosts();
        Path sshConfigPath = null;

        Map<String, String> seen = new java.util.HashMap<>();
        String authFileWhere = null;
        for (NodeTuple tuple : root.getValue()) {
            String where = file + ":" + (tuple.getKeyNode().getStartMark().getLine() + 1);
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                problems.add(ConfigProblem.error(where, "keys must be plain names"));
                continue;
            }
            String key = keyNode.getValue();
            String first = seen.putIfAbsent(key, where);
            if (first != null) {
                // YAML would silently take the last one; an operator means one of them, so say so.
                problems.add(
                        ConfigProblem.error(where, key + ": duplicate key (first at " + first + "); this one is used"));
            }
            if (key.equals("auth_file")) {
                authFileWhere = where;
            }
            if (key.equals("tools")) {
                disabledTools = toolGroups(where, tuple.getValueNode());
                continue;
            }
            if (key.equals("groups")) {
                groups = hostGroups(where, tuple.getValueNode());
                continue;
            }
            if (!(tuple.getValueNode() instanceof ScalarNode valueNode)) {
                if (!RESERVED_KEYS.contains(key)) {
                    problems.add(ConfigProblem.error(where, key + ": expected a single value"));
                }
                continue;
            }
            String v = valueNode.getValue().trim();
            switch (key) {
                case "auth_file" -> authFile = nonEmpty(where, key, v) ? relativeTo(file, expand(v, home)) : authFile;
                case "status_url" -> statusUrl = v.isEmpty() ? null : v;
                case "owners_url" -> ownersUrl = v.isEmpty() ? null : v;
                case "known_hosts" ->
                    knownHosts = nonEmpty(where, key, v) ? relativeTo(file, expand(v, home)) : knownHosts;
                case "default_port" -> defaultPort = integer(where, key, v, 1, 65535, defaultPort);
                case "host_key_policy" -> {
                    Optional<HostKeyPolicy> p = HostKeyPolicy.parse(v);
                    if (p.isPresent()) {
                        policy = p.get();
                    } else {
                        problems.add(ConfigProblem.error(
                                where, "host_key_policy: '" + v + "' is not one of accept-new, strict, off"));
                    }
                }
                case "connect_timeout" -> connect = duration(where, key, v, connect);
                case "command_timeout" ->
                    problems.add(ConfigProblem.warning(
                            where,
                            "command_timeout has no effect "
                                    + "and can be removed: a command still running after async_after goes to the background, and "
                                    + "exec, run_script and the other tools take their own timeout"));
                case "idle_timeout" -> idle = duration(where, key, v, idle);
                case "keepalive_interval" -> keepalive = duration(where, key, v, keepalive);
                case "metadata_timeout" -> metadata = duration(where, key, v, metadata);
                case "max_output_bytes" -> maxOutput = integer(where, key, v, 1024, 16 * 1024 * 1024, maxOutput);
                // Below OpenSSH's default MaxSessions (10), so a burst queues here instead of failing there.
                case "max_channels_per_host" -> maxChannels = integer(where, key, v, 1, 64, maxChannels);
                case "max_parallel_hosts" -> maxParallel = integer(where, key, v, 1, 256, maxParallel);
                case "max_call_output_bytes" ->
                    maxCallOutput = integer(where, key, v, 4096, 16 * 1024 * 1024, maxCallOutput);
                case "shell_idle_timeout" -> shellIdle = duration(where, key, v, shellIdle);
                case "async_after" -> asyncAfter = duration(where, key, v, asyncAfter);
                case "use_ssh_config" -> useSshConfig = bool(where, key, v);
                case "allow_adhoc_hosts" -> adhoc = Boolean.TRUE.equals(bool(where, key, v));
                case "ssh_config" -> sshConfigPath = nonEmpty(where, key, v) ? relativeTo(file, expand(v, home)) : null;
                case "ssh_agent" ->
                    sshAgent = v.isEmpty()
                            ? null
                            : v.equalsIgnoreCase("off")
                                    ? "off"
                                    : relativeTo(file, expand(v, home)).toString();
                case "guide_output_dir" ->
                    guideDir = nonEmpty(where, key, v) ? relativeTo(file, expand(v, home)) : guideDir;
                case "local_root" -> {
                    // Kept even when missing: dropping it would silently lift the confinement it asks for.
                    localRoot = v.isEmpty()
                            ? Optional.empty()
                            : Optional.of(relativeTo(file, expand(v, home))
                                    .toAbsolutePath()
                                    .normalize());
                    if (localRoot.isPresent() && !java.nio.file.Files.isDirectory(localRoot.get())) {
                        problems.add(
                                ConfigProblem.warning(
                                        where,
                                        "local_root: " + localRoot.get() + " is not a "
                                                + "directory; upload and download will refuse every local path until it exists"));
                    }
                }
                default -> {
                    if (!RESERVED_KEYS.contains(key)) {
                        problems.add(ConfigProblem.warning(
                                where,
                                "unknown key '" + key + "' ignored"
                                        + nearest(key)
                                                .map(k -> " (did you mean " + k + "?)")
                                                .orElse("")));
                    }
                }
            }
        }
        // ssh_config alone means "use it"; use_ssh_config: true alone means ~/.ssh/config; use_ssh_config: false wins.
        Optional<Path> sshConfig = Boolean.FALSE.equals(useSshConfig)
                ? Optional.empty()
                : sshConfigPath != null
                        ? Optional.of(sshConfigPath)
                        : Boolean.TRUE.equals(useSshConfig)
                                ? Optional.of(home.resolve(".ssh").resolve("config"))
                                : Optional.empty();
        if (!Files.exists(authFile)) {
            problems.add(ConfigProblem.error(
                    authFileWhere != null ? authFileWhere : file.toString(),
                    "auth_file "
                            + authFile + (authFileWhere != null ? "" : " (the default)")
                            + " does not exist, so there are no "
                            + "machines: create it (lines hostname<TAB>address<TAB>username:password, mode 0600), point "
                            + "auth_file at yours, or add machines with add_host"));
        }
        FleetConfig config = new FleetConfig(
                Optional.of(file),
                authFile,
                statusUrl,
                ownersUrl,
                defaultPort,
                knownHosts,
                policy,
                connect,
                idle,
                keepalive,
                metadata,
                maxOutput,
                maxChannels,
                maxParallel,
                localRoot,
                shellIdle,
                guideDir,
                asyncAfter,
                disabledTools,
                sshAgent,
                sshConfig,
                adhoc,
                maxCallOutput,
                groups);
        return new Loaded(config, List.copyOf(problems));
    }

    /** file:LINE:COL: the parser's short reason, and the offending line, instead of SnakeYAML's multi-line text. */
    private static ConfigProblem syntaxError(Path file, org.yaml.snakeyaml.error.MarkedYAMLException e) {
        org.yaml.snakeyaml.error.Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String reason = e.getProblem() != null ? e.getProblem() : e.getContext();
        if (m == null) {
            return ConfigProblem.error(
                    file.toString(),
                    "YAML syntax error: " + reason + "; no machines are offered " + "until it is fixed");
        }
        String line = "";
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            line = m.getLine() < lines.size() ? lines.get(m.getLine()) : "";
        } catch (IOException | RuntimeException ignored) {
            // the position is enough
        }
        return ConfigProblem.error(
                file + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1),
                "YAML syntax error: "
                        + reason + (line.isBlank() ? "" : " in: " + line.strip())
                        + ". No machines are offered until it is "
                        + "fixed (ssh-fleet reads config.yaml at start: restart it afterwards)");
    }

    /** The known key closest to a misspelt one (edit distance at most 3), if any. */
    static Optional<String> nearest(String key) {
        String best = null;
        int bestDistance = 4;
        for (String k : KEYS) {
            int dist = distance(key.toLowerCase(java.util.Locale.ROOT), k);
            if (dist < bestDistance) {
                best = k;
                bestDistance = dist;
            }
        }
        return Optional.ofNullable(best);
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static FleetConfig withSource(FleetConfig d, Path file) {
        return new FleetConfig(
                Optional.of(file),
                d.authFile(),
                d.statusUrl(),
                d.ownersUrl(),
                d.defaultPort(),
                d.knownHosts(),
                d.hostKeyPolicy(),
                d.connectTimeout(),
                d.idleTimeout(),
                d.keepaliveInterval(),
                d.metadataTimeout(),
                d.maxOutputBytes(),
                d.maxChannelsPerHost(),
                d.maxParallelHosts(),
                d.localRoot(),
                d.shellIdleTimeout(),
                d.guideDir(),
                d.asyncAfter(),
                d.disabledTools(),
                d.sshAgent(),
                d.sshConfig(),
                d.allowAdhocHosts(),
                d.maxCallOutputBytes(),
                d.groups());
    }

    /**
     * {@code tools:} either a list of the groups to enable ({@code [exec, files]}) or a mapping of group to true/false
     * ({@code render: false}). Returns the disabled groups; unknown group names are reported with the valid ones.
     */
    private java.util.Set<String> toolGroups(String where, org.yaml.snakeyaml.nodes.Node node) {
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
    private Map<String, List<String>> hostGroups(String where, Node node) {
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

    private Boolean bool(String where, String key, String v) {
        switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> {
                return true;
            }
            case "false", "no", "off" -> {
                return false;
            }
            default -> {
                problems.add(ConfigProblem.error(where, key + ": expected true or false, got '" + v + "'"));
                return null;
            }
        }
    }

    private boolean nonEmpty(String where, String key, String v) {
        if (v.isEmpty()) {
            problems.add(ConfigProblem.error(where, key + ": empty value"));
            return false;
        }
        return true;
    }

    private int integer(String where, String key, String v, int min, int max, int fallback) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(ConfigProblem.error(
                where, key + ": '" + v + "' must be an integer from " + min + " to " + max + "; using " + fallback));
        return fallback;
    }

    private Duration duration(String where, String key, String v, Duration fallback) {
        Optional<Duration> parsed = parseDuration(v);
        if (parsed.isPresent() && !parsed.get().isZero()) {
            return parsed.get();
        }
        problems.add(ConfigProblem.error(
                where,
                key + ": '" + v
                        + "' is not a positive duration (seconds, or with a unit: 500ms, 30s, 5m, 1h); using "
                        + fallback.toSeconds() + "s"));
        return fallback;
    }

    /** Plain numbers are seconds; "ms", "s", "m", "h" suffixes are accepted. */
    public static Optional<Duration> parseDuration(String v) {
        Matcher m = DURATION.matcher(v.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> n;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 1000;
        };
        return Optional.of(Duration.ofMillis(Math.round(millis)));
    }

    /** Relative paths in config.yaml are relative to the directory that holds it, not to wherever the client ran us. */
    private static Path relativeTo(Path configFile, Path p) {
        Path dir = configFile.toAbsolutePath().getParent();
        return p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize();
    }

    /** Expands a leading ~ to the home directory; relative paths stay relative to the working directory. */
    public static Path expand(String path, Path home) {
        if (path.equals("~")) {
            return home;
        }
        if (path.startsWith("~/")) {
            return home.resolve(path.substring(2));
        }
        return Path.of(path);
    }
}
