package io.github.sshfleet.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The effective configuration, validated once by {@link ConfigLoader}. Immutable: nothing re-reads config inside a
 * tool; {@code reload_machines} re-reads only the hosts file and metadata.
 *
 * @param source          the config.yaml that was read, empty when none exists (the server still starts)
 * @param authFile        the hosts file (TSV)
 * @param statusUrl       http(s) URL or local path of machine status JSON keyed by IP, or null
 * @param ownersUrl       http(s) URL or local path of owners JSON keyed by IP, or null
 * @param maxOutputBytes  per stream, per host: what the model is shown of stdout and of stderr
 * @param localRoot       when set, the local side of upload/download must be inside this directory
 * @param shellIdleTimeout persistent shells unused this long are closed
 * @param guideDir        where render_* tools write their images (created 0700)
 * @param asyncAfter      exec still running after this becomes a background command (an id) instead of blocking
 * @param disabledTools   tool groups switched off in config.yaml (`tools:`), so their schemas cost no context
 * @param sshAgent        ssh-agent socket: null = $SSH_AUTH_SOCK when set, "off" = never, else the socket path
 * @param sshConfig       an OpenSSH client config whose Host aliases become machines (use_ssh_config / ssh_config)
 * @param allowAdhocHosts tools may take user@host:port targets that are in neither file
 * @param groups          host groups from config.yaml: name -> members (machine names, globs, @other groups)
 * @param maxCallOutputBytes what the text of one fan-out call may hold, whatever the host count (groups beyond it
 *                        are listed without their output)
 */
public record FleetConfig(
        Optional<Path> source,
        Path authFile,
        String statusUrl,
        String ownersUrl,
        int defaultPort,
        Path knownHosts,
        HostKeyPolicy hostKeyPolicy,
        Duration connectTimeout,
        Duration idleTimeout,
        Duration keepaliveInterval,
        Duration metadataTimeout,
        int maxOutputBytes,
        int maxChannelsPerHost,
        int maxParallelHosts,
        Optional<Path> localRoot,
        Duration shellIdleTimeout,
        Path guideDir,
        Duration asyncAfter,
        java.util.Set<String> disabledTools,
        String sshAgent,
        Optional<Path> sshConfig,
        boolean allowAdhocHosts,
        int maxCallOutputBytes,
        java.util.Map<String, java.util.List<String>> groups) {

    public FleetConfig {
        groups = java.util.Map.copyOf(groups);
    }

    /** The tool groups `tools:` may switch off; list_machines, add_host, reload_machines and disconnect are always on. */
    public static final java.util.List<String> TOOL_GROUPS =
            java.util.List.of("exec", "files", "shell", "tmux", "render", "async", "forward", "sync");

    /** The defaults, relative to a home directory (tests pass their own). */
    public static FleetConfig defaults(Path home) {
        Path dir = home.resolve(".ssh-fleet");
        return new FleetConfig(
                Optional.empty(),
                dir.resolve("hosts.tsv"),
                null,
                null,
                22,
                dir.resolve("known_hosts"),
                HostKeyPolicy.ACCEPT_NEW,
                Duration.ofSeconds(10),
                Duration.ofMinutes(5),
                Duration.ofSeconds(15),
                Duration.ofSeconds(5),
                64 * 1024,
                8,
                32,
                Optional.empty(),
                Duration.ofMinutes(30),
                dir.resolve("guides"),
                Duration.ofSeconds(30),
                java.util.Set.of(),
                null,
                Optional.empty(),
                false,
                64 * 1024,
                java.util.Map.of());
    }
}
