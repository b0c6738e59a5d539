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
 * @param readonlyCommands programs (and subcommands) exec_readonly accepts besides its built-in list
 * @param policy          policy: entries, first match per machine (modes, allow/deny rules, write_paths)
 * @param auditLog        the audit trail's directory; empty: audit_log: off
 * @param auditRequired   a call whose audit line cannot be written is refused (false: it runs, with a warning)
 * @param approvalTimeout how long a confirm rule's question waits for the person's answer (then: refused)
 * @param approvalGrant   how long a yes covers identical calls (zero: every call asks)
 * @param revokedHostKeys host keys never accepted (revoked_host_keys: a KRL or a key list, OpenSSH's RevokedHostKeys);
 *                        re-read when it changes, and when it cannot be read no host key is accepted
 * @param kex             key exchanges to offer, in order (kex:); empty: curve25519-sha256 first, then MINA's list
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
        Optional<Path> revokedHostKeys,
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
        java.util.Map<String, java.util.List<String>> groups,
        java.util.List<String> readonlyCommands,
        io.github.sshfleet.policy.Policy policy,
        Optional<Path> auditLog,
        boolean auditRequired,
        Duration approvalTimeout,
        Duration approvalGrant,
        java.util.List<String> kex) {

    public FleetConfig {
        groups = java.util.Map.copyOf(groups);
        disabledTools = java.util.Set.copyOf(disabledTools);
        readonlyCommands = java.util.List.copyOf(readonlyCommands);
        kex = java.util.List.copyOf(kex);
    }

    /** The tool groups `tools:` may switch off; list_machines, add_host, reload_machines and disconnect are always on. */
    public static final java.util.List<String> TOOL_GROUPS =
            java.util.List.of("exec", "files", "shell", "tmux", "render", "async", "forward", "sync");

    /** The defaults, relative to a home directory (tests pass their own). */
    public static FleetConfig defaults(Path home) {
        return new Builder(home).build();
    }

    /**
     * The one place a FleetConfig is put together: starts at the defaults, and ConfigLoader overwrites what
     * config.yaml sets. Package-private, so nothing outside config/ builds a config that skipped validation.
     */
    static final class Builder {
        Optional<Path> source = Optional.empty();
        Path authFile;
        String statusUrl;
        String ownersUrl;
        int defaultPort = 22;
        Path knownHosts;
        HostKeyPolicy hostKeyPolicy = HostKeyPolicy.ACCEPT_NEW;
        Optional<Path> revokedHostKeys = Optional.empty();
        Duration connectTimeout = Duration.ofSeconds(10);
        Duration idleTimeout = Duration.ofMinutes(5);
        Duration keepaliveInterval = Duration.ofSeconds(15);
        Duration metadataTimeout = Duration.ofSeconds(5);
        int maxOutputBytes = 64 * 1024;
        int maxChannelsPerHost = 8;
        int maxParallelHosts = 32;
        Optional<Path> localRoot = Optional.empty();
        Duration shellIdleTimeout = Duration.ofMinutes(30);
        Path guideDir;
        Duration asyncAfter = Duration.ofSeconds(30);
        java.util.Set<String> disabledTools = java.util.Set.of();
        String sshAgent;
        Optional<Path> sshConfig = Optional.empty();
        boolean allowAdhocHosts;
        int maxCallOutputBytes = 64 * 1024;
        java.util.Map<String, java.util.List<String>> groups = java.util.Map.of();
        java.util.List<String> readonlyCommands = java.util.List.of();
        io.github.sshfleet.policy.Policy policy = io.github.sshfleet.policy.Policy.none();
        Optional<Path> auditLog;
        boolean auditRequired = true;
        Duration approvalTimeout = Duration.ofSeconds(120);
        Duration approvalGrant = Duration.ZERO;
        java.util.List<String> kex = java.util.List.of();

        Builder(Path home) {
            Path dir = home.resolve(".ssh-fleet");
            authFile = dir.resolve("hosts.tsv");
            knownHosts = dir.resolve("known_hosts");
            guideDir = dir.resolve("guides");
            auditLog = Optional.of(dir.resolve("audit"));
        }

        FleetConfig build() {
            return new FleetConfig(
                    source,
                    authFile,
                    statusUrl,
                    ownersUrl,
                    defaultPort,
                    knownHosts,
                    hostKeyPolicy,
                    revokedHostKeys,
                    connectTimeout,
                    idleTimeout,
                    keepaliveInterval,
                    metadataTimeout,
                    maxOutputBytes,
                    maxChannelsPerHost,
                    maxParallelHosts,
                    localRoot,
                    shellIdleTimeout,
                    guideDir,
                    asyncAfter,
                    disabledTools,
                    sshAgent,
                    sshConfig,
                    allowAdhocHosts,
                    maxCallOutputBytes,
                    groups,
                    readonlyCommands,
                    policy,
                    auditLog,
                    auditRequired,
                    approvalTimeout,
                    approvalGrant,
                    kex);
        }
    }
}
