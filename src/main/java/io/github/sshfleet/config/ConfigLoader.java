package io.github.sshfleet.config;

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
            "revoked_host_keys",
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
            "groups",
            "readonly_commands",
            "policy",
            "audit_log",
            "audit_required",
            "confirm_defaults",
            "approval_timeout",
            "approval_grant",
            "kex");

    /** Keys later capabilities own: accepted quietly here so enabling them does not warn. */
    private static final Set<String> RESERVED_KEYS = Set.of();

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private final Path home;
    private final List<ConfigProblem> problems = new ArrayList<>();
    // What one read has seen besides the config itself.
    private Boolean useSshConfig;
    private boolean confirmDefaults = true;
    private Path sshConfigPath;
    private String authFileWhere;

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

    // Long on purpose: the load in order: file, YAML, each key, cross-key checks; the cases themselves are in scalar().
    private Loaded read(Path file, boolean explicit) {
        FleetConfig.Builder config = new FleetConfig.Builder(home);
        if (!Files.exists(file)) {
            if (explicit) {
                problems.add(
                        ConfigProblem.error(file.toString(), "SSH_FLEET_CONFIG names this file but it does not exist"));
            }
            return new Loaded(config.build(), List.copyOf(problems));
        }
        config.source = Optional.of(file);
        MappingNode root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Node node = new Yaml(new SafeConstructor(new LoaderOptions())).compose(reader);
            if (node == null) {
                return new Loaded(config.build(), List.copyOf(problems)); // empty file: all defaults
            }
            if (!(node instanceof MappingNode mapping)) {
                problems.add(ConfigProblem.error(file.toString(), "expected a mapping of keys (auth_file: ..., ...)"));
                return new Loaded(config.build(), List.copyOf(problems));
            }
            root = mapping;
        } catch (org.yaml.snakeyaml.error.MarkedYAMLException e) {
            ConfigProblem p = syntaxError(file, e);
            problems.add(p);
            return new Loaded(config.build(), List.copyOf(problems), p);
        } catch (IOException | RuntimeException e) {
            ConfigProblem p = ConfigProblem.error(
                    file.toString(),
                    "cannot read: " + e.getMessage().lines().findFirst().orElse(e.toString()));
            problems.add(p);
            return new Loaded(config.build(), List.copyOf(problems), p);
        }
        Map<String, String> seen = new java.util.HashMap<>();
        ConfigSections sections = new ConfigSections(problems);
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
            if (key.equals("tools")) {
                config.disabledTools = sections.toolGroups(where, tuple.getValueNode());
            } else if (key.equals("groups")) {
                config.groups = sections.hostGroups(where, tuple.getValueNode());
            } else if (key.equals("policy")) {
                config.policy = new PolicySection(problems).read(where, tuple.getValueNode());
            } else if (key.equals("kex")) {
                config.kex = sections.kex(where, tuple.getValueNode());
            } else if (key.equals("readonly_commands")) {
                config.readonlyCommands = sections.readonlyCommands(where, tuple.getValueNode());
            } else if (tuple.getValueNode() instanceof ScalarNode valueNode) {
                scalar(config, file, where, key, valueNode.getValue().trim());
            } else if (!RESERVED_KEYS.contains(key)) {
                problems.add(ConfigProblem.error(where, key + ": expected a single value"));
            }
        }
        config.policy = new io.github.sshfleet.policy.Policy(config.policy.entries(), confirmDefaults);
        // ssh_config alone means "use it"; use_ssh_config: true alone means ~/.ssh/config; use_ssh_config: false wins.
        config.sshConfig = Boolean.FALSE.equals(useSshConfig)
                ? Optional.empty()
                : sshConfigPath != null
                        ? Optional.of(sshConfigPath)
                        : Boolean.TRUE.equals(useSshConfig)
                                ? Optional.of(home.resolve(".ssh").resolve("config"))
                                : Optional.empty();
        if (!Files.exists(config.authFile)) {
            problems.add(ConfigProblem.error(
                    authFileWhere != null ? authFileWhere : file.toString(),
                    "auth_file "
                            + config.authFile + (authFileWhere != null ? "" : " (the default)")
                            + " does not exist, so there are no "
                            + "machines: create it (lines hostname<TAB>address<TAB>username:password, mode 0600), point "
                            + "auth_file at yours, or add machines with add_host"));
        }
        return new Loaded(config.build(), List.copyOf(problems));
    }

    /** One {@code key: value} line; a bad value is reported and the previous (default) value kept. */
    // Long on purpose: one case per config.yaml key, so every key and its validation is found in one place.
    private void scalar(FleetConfig.Builder c, Path file, String where, String key, String v) {
        switch (key) {
            case "auth_file" -> {
                authFileWhere = where;
                c.authFile = nonEmpty(where, key, v) ? relativeTo(file, expand(v, home)) : c.authFile;
            }
            case "status_url" -> c.statusUrl = v.isEmpty() ? null : v;
            case "owners_url" -> c.ownersUrl = v.isEmpty() ? null : v;
            case "known_hosts" ->
                c.knownHosts = nonEmpty(where, key, v) ? relativeTo(file, expand(v, home)) : c.knownHosts;
            case "default_port" -> c.defaultPort = integer(where, key, v, 1, 65535, c.defaultPort);
            case "host_key_policy" -> {
                Optional<HostKeyPolicy> p = HostKeyPolicy.parse(v);
                if (p.isPresent()) {
                    c.hostKeyPolicy = p.get();
                } else {
                    problems.add(ConfigProblem.error(
                            where, "host_key_policy: '" + v + "' is not one of accept-new, strict, off"));
                }
            }
            case "revoked_host_keys" ->
                c.revokedHostKeys =
                        new ConfigSections(problems).revokedHostKeys(where, v, relativeTo(file, expand(v, home)));
            case "connect_timeout" -> c.connectTimeout = duration(where, key, v, c.connectTimeout);
            case "command_timeout" ->
                problems.add(ConfigProblem.warning(
                        where,
                        "command_timeout has no effect "
                                + "and can be removed: a command still running after async_after goes to the background, and "
                                + "exec, run_script and the other tools take their own timeout"));
            case "idle_timeout" -> c.idleTimeout = duration(where, key, v, c.idleTimeout);
            case "keepalive_interval" -> c.keepaliveInterval = duration(where, key, v, c.keepaliveInterval);
            case "metadata_timeout" -> c.metadataTimeout = duration(where, key, v, c.metadataTimeout);
            case "max_output_bytes" ->
                c.maxOutputBytes = integer(where, key, v, 1024, 16 * 1024 * 1024, c.maxOutputBytes);
            // Below OpenSSH's default MaxSessions (10), so a burst queues here instead of failing there.
            case "max_channels_per_host" -> c.maxChannelsPerHost = integer(where, key, v, 1, 64, c.maxChannelsPerHost);
            case "max_parallel_hosts" -> c.maxParallelHosts = integer(where, key, v, 1, 256, c.maxParallelHosts);
            case "max_call_output_bytes" ->
                c.maxCallOutputBytes = integer(where, key, v, 4096, 16 * 1024 * 1024, c.maxCallOutputBytes);
            case "shell_idle_timeout" -> c.shellIdleTimeout = duration(where, key, v, c.shellIdleTimeout);
            case "async_after" -> c.asyncAfter = duration(where, key, v, c.asyncAfter);
            case "use_ssh_config" -> bool(where, key, v).ifPresent(b -> useSshConfig = b);
            case "allow_adhoc_hosts" -> bool(where, key, v).ifPresent(b -> c.allowAdhocHosts = b);
            case "audit_log" ->
                c.auditLog = v.equalsIgnoreCase("off")
                        ? Optional.empty()
                        : nonEmpty(where, key, v) ? Optional.of(relativeTo(file, expand(v, home))) : c.auditLog;
            case "audit_required" -> bool(where, key, v).ifPresent(b -> c.auditRequired = b);
            case "confirm_defaults" -> bool(where, key, v).ifPresent(b -> confirmDefaults = b);
            case "approval_timeout" -> c.approvalTimeout = duration(where, key, v, c.approvalTimeout);
            case "approval_grant" -> c.approvalGrant = duration(where, key, v, c.approvalGrant);
            case "ssh_config" -> sshConfigPath = nonEmpty(where, key, v) ? relativeTo(file, expand(v, home)) : null;
            case "ssh_agent" ->
                c.sshAgent = v.isEmpty()
                        ? null
                        : v.equalsIgnoreCase("off")
                                ? "off"
                                : relativeTo(file, expand(v, home)).toString();
            case "guide_output_dir" ->
                c.guideDir = nonEmpty(where, key, v) ? relativeTo(file, expand(v, home)) : c.guideDir;
            case "local_root" -> {
                // Kept even when missing: dropping it would silently lift the confinement it asks for.
                c.localRoot = v.isEmpty()
                        ? Optional.empty()
                        : Optional.of(relativeTo(file, expand(v, home))
                                .toAbsolutePath()
                                .normalize());
                if (c.localRoot.isPresent() && !Files.isDirectory(c.localRoot.get())) {
                    problems.add(ConfigProblem.warning(
                            where,
                            "local_root: " + c.localRoot.get() + " is not a "
                                    + "directory; upload and download will refuse every local path until it exists"));
                }
            }
            default -> {
                if (!RESERVED_KEYS.contains(key)) {
                    problems.add(ConfigProblem.warning(
                            where,
                            "unknown key '" + key + "' ignored"
                                    + DidYouMean.nearest(key, KEYS)
                                            .map(k -> " (did you mean " + k + "?)")
                                            .orElse("")));
                }
            }
        }
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

    /** Empty (and reported) when the value is not a boolean, so the caller keeps what it had. */
    private Optional<Boolean> bool(String where, String key, String v) {
        switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> {
                return Optional.of(true);
            }
            case "false", "no", "off" -> {
                return Optional.of(false);
            }
            default -> {
                problems.add(ConfigProblem.error(where, key + ": expected true or false, got '" + v + "'"));
                return Optional.empty();
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
