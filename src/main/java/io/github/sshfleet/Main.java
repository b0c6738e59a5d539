package io.github.sshfleet;

import io.github.sshfleet.config.ConfigLoader;
import io.github.sshfleet.config.ConfigProblem;
import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.config.HostKeyPolicy;
import io.github.sshfleet.core.Daemons;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.fleet.MachineStore;
import io.github.sshfleet.mcp.ProtocolWarmup;
import io.github.sshfleet.mcp.StdioTransport;
import io.github.sshfleet.mcp.ToolServer;
import io.github.sshfleet.mcp.tools.ToolCatalog;
import io.github.sshfleet.ssh.SshClients;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpSyncServer;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point. With no arguments: the stdio MCP server. Stdout carries JSON-RPC only, so the real stdout is taken
 * for the transport before anything else runs and System.out is pointed at stderr for the rest of the process.
 */
public final class Main {

    private static final String USAGE = """
            ssh-fleet %s: an MCP server that manages a fleet of machines over SSH (stdio transport).

            Usage:
              java -jar ssh-fleet.jar                 run the MCP server on stdin/stdout
              java -jar ssh-fleet.jar --check-config  load config and hosts file, print machines and problems
                                                      (exit 1 if there are errors)
              java -jar ssh-fleet.jar --cds           write a class-data archive that halves start-up time
                                                      and print the registration line (README's)
              java -jar ssh-fleet.jar credentials set|list|delete <machine>
                                                      keep passwords encrypted in ~/.ssh-fleet/credentials.enc
                                                      (the server unlocks it with SSH_FLEET_MASTER_PASSWORD)
              java -jar ssh-fleet.jar audit verify [FILE|DIR]
                                                      check the audit log's hash chain (exit 1: broken)
              java -jar ssh-fleet.jar --version       print the version
              java -jar ssh-fleet.jar --help          this text

            Config: $SSH_FLEET_CONFIG, else ~/.ssh-fleet/config.yaml (see config.example.yaml).
            Logs go to stderr; level from $SSH_FLEET_LOG (trace, debug, info, warn, error; default info).
            """;

    private Main() {}

    private static String usage() {
        return USAGE.replace("%s", version()); // not printf: the text is not a format string
    }

    public static void main(String[] argv) {
        System.setProperty("java.awt.headless", "true"); // screenshots are drawn off-screen; never open a display
        PrintStream console = System.out;
        configureLogging(System.getenv("SSH_FLEET_LOG"));
        String mode = argv.length == 0 ? "" : argv[0];
        if (mode.equals("credentials")) {
            System.exit(CredentialsCommand.run(argv, console, home(), System.getenv()));
        }
        if (mode.equals("audit")) {
            System.exit(AuditCommand.run(argv, console, home(), System.getenv()));
        }
        if (mode.equals(StartupArchive.TRAIN) && argv.length == 1) {
            startTrainingPeer(); // then serve as usual, with the peer's config
            mode = "";
        }
        if (argv.length > 1
                || !Set.of("", "--help", "-h", "--version", "--check-config", "--cds")
                        .contains(mode)) {
            System.err.println("ssh-fleet: unknown option "
                    + FleetException.quote(
                            argv.length > 1
                                            && Set.of("--help", "-h", "--version", "--check-config", "--cds")
                                                    .contains(mode)
                                    ? argv[1]
                                    : mode));
            System.err.print(usage());
            System.exit(2);
        }
        switch (mode) {
            case "--help", "-h" -> {
                console.print(usage());
                return;
            }
            case "--version" -> {
                console.print(BuildInfo.describe());
                return;
            }
            case "--check-config" -> System.exit(checkConfig(console));
            case "--cds" -> System.exit(StartupArchive.write(console, home()));
            default -> {
                System.setOut(System.err); // from here on, a stray print cannot corrupt the protocol
                // The real stdout, whatever System.out is by then; it lives as long as the process.
                serve(new FileOutputStream(FileDescriptor.out));
            }
        }
    }

    /** Only in an archive training run, whose HOME is a temporary directory of its own (see StartupArchive). */
    private static void startTrainingPeer() {
        try {
            TrainingPeer.start(home());
        } catch (IOException | RuntimeException e) {
            System.err.println("ssh-fleet " + StartupArchive.TRAIN + ": no SSH peer (" + e + "); training without it");
        }
    }

    static Path home() {
        String env = System.getenv("HOME");
        return Path.of(env != null && !env.isBlank() ? env : System.getProperty("user.home"));
    }

    // Long on purpose: the start-up order (logging, config, services, warm-up, transport, shutdown hook) is
    // the point of reading it.
    private static void serve(OutputStream protocolOut) {
        CompletableFuture<McpJsonMapper> jsonMapper = ProtocolWarmup.start(); // overlaps with everything below
        SshClients.installProviders(); // before the config's checks touch MINA's cryptography
        Logger log = LoggerFactory.getLogger(Main.class);
        Path home = home();
        ConfigLoader.Loaded loaded = ConfigLoader.load(System.getenv(), home);
        FleetConfig config = loaded.config();
        loaded.problems().forEach(p -> log.warn("config: {}", p));
        if (config.source().isEmpty()) {
            log.warn(
                    "no config at {}: starting with no machines. {}",
                    ConfigLoader.configPath(System.getenv(), home),
                    MachineStore.SETUP_HINT);
        }
        if (config.hostKeyPolicy() == HostKeyPolicy.OFF) {
            log.warn(
                    "host_key_policy is OFF: host keys are NOT verified; anyone on the path can impersonate a machine");
        }
        MachineStore machines = new MachineStore(config, home);
        if (loaded.unusable() != null) {
            machines.refuseAll(loaded.unusable());
        }
        machines.loadHostsFile().forEach(p -> log.warn("hosts: {}", p));
        config.policy().undefinedGroups(machines.groups().keySet()).forEach(w -> log.warn("policy: {}", w));
        FleetServices fleet = FleetServices.create(config, machines, home);

        McpJsonMapper json = jsonMapper.join();
        StdioTransport transport = new StdioTransport(json, System.in, protocolOut);
        transport.afterHandshake(fleet.pool()::prepare); // set-up after the handshake, in this order
        McpSyncServer server = ToolServer.start(
                ToolCatalog.tools(fleet), transport, json, version(), fleet.audit(), config.approvalTimeout());
        transport.afterHandshake(JvmLog::toStderr);
        IdleTrim idle = IdleTrim.start();
        transport.onMessage(idle::touched);
        transport.afterHandshake(fleet.litter()::adoptLeftovers); // what a killed server left mid-transfer
        transport.afterHandshake(StartupArchive::refreshIfStale); // slowest (a training run), so last
        log.info(
                "ssh-fleet {} ready: {} machines from {}",
                version(),
                machines.machines().size(),
                config.authFile());
        if (config.statusUrl() != null || config.ownersUrl() != null) {
            Daemons.start("ssh-fleet-metadata", machines::refreshMetadata);
        }

        AtomicBoolean stopped = new AtomicBoolean();
        Runnable shutdown = () -> {
            if (stopped.compareAndSet(false, true)) {
                int open = fleet.pool().openSessions();
                log.info("shutting down: closing {} pooled session{}", open, open == 1 ? "" : "s");
                try {
                    server.close();
                } catch (RuntimeException e) {
                    log.debug("server close", e);
                }
                fleet.close();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "ssh-fleet-shutdown"));
        try {
            while (!transport.awaitInputEnd(1, TimeUnit.HOURS)) {
                // stdin still open: keep serving
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("stdin closed");
        shutdown.run();
        System.exit(0);
    }

    private static int checkConfig(PrintStream out) {
        Path home = home();
        Map<String, String> env = System.getenv();
        ConfigLoader.Loaded loaded = ConfigLoader.load(env, home);
        FleetConfig c = loaded.config();
        out.println("config:         "
                + c.source()
                        .map(Path::toString)
                        .orElse("(none at " + ConfigLoader.configPath(env, home) + "; using defaults)"));
        out.println("hosts file:     " + c.authFile());
        out.println("known_hosts:    " + c.knownHosts() + " (host_key_policy: "
                + c.hostKeyPolicy().configName() + ")");
        List<ConfigProblem> revocation = new java.util.ArrayList<>();
        c.revokedHostKeys()
                .ifPresent(f -> out.println(
                        "revoked keys:   " + io.github.sshfleet.ssh.CertificateReport.revokedHostKeys(f, revocation)));
        out.println("timeouts:       connect " + c.connectTimeout().toMillis() + " ms, async_after "
                + c.asyncAfter().toSeconds() + " s, idle " + c.idleTimeout().toSeconds() + " s");
        out.println("output cap:     " + c.maxOutputBytes() + " bytes per stream per host");
        out.println("key exchange:   "
                + (c.kex().isEmpty()
                        ? "curve25519-sha256 first, then MINA's list (kex: to choose)"
                        : String.join(", ", c.kex())));
        out.println("approval:       built-in confirm set " + (c.policy().builtinConfirm() ? "on" : "off")
                + ", approval_timeout " + c.approvalTimeout().toSeconds() + " s");
        out.println("audit log:      "
                + c.auditLog()
                        .map(d ->
                                d + (c.auditRequired() ? " (required: a call is refused if it cannot be written)" : ""))
                        .orElse("off"));
        MachineStore store = new MachineStore(c, home);
        List<ConfigProblem> problems = new java.util.ArrayList<>(loaded.problems());
        if (loaded.unusable() != null) {
            store.refuseAll(loaded.unusable()); // its problem is already in the list
        } else {
            problems.addAll(store.loadHostsFile());
        }
        if (c.statusUrl() != null || c.ownersUrl() != null) {
            store.refreshMetadata().forEach(w -> problems.add(ConfigProblem.warning("metadata", w)));
        }
        List<Machine> machines = store.machines();
        out.println("machines:       " + machines.size());
        java.time.Instant now = java.time.Instant.now();
        for (Machine m : machines) {
            String cert = io.github.sshfleet.ssh.CertificateReport.userCertificate(m, now);
            out.println("  " + m.name() + "\t" + m.username() + "@" + m.address() + "\tauth=" + m.authKind()
                    + (m.jump() == null ? "" : "\tvia " + m.jump())
                    + (m.proxyCommand() == null ? "" : "\tvia ProxyCommand " + m.proxyCommand())
                    + (cert == null ? "" : "\tcertificate " + cert)
                    + (m.metadata().isEmpty() ? "" : "\t" + m.metadata()));
            problems.addAll(io.github.sshfleet.ssh.CertificateReport.problems(m, now));
        }
        problems.addAll(io.github.sshfleet.ssh.CertificateReport.unusableAuthorityLines(c.knownHosts()));
        if (loaded.problems().stream().noneMatch(p -> p.message().startsWith("revoked_host_keys:"))) {
            problems.addAll(revocation); // an unreadable file is reported once, by the loader
        }
        c.policy()
                .undefinedGroups(store.groups().keySet())
                .forEach(w -> problems.add(ConfigProblem.warning("policy", w)));
        if (!c.policy().entries().isEmpty()) {
            out.println("policy:         " + c.policy().entries().size() + " entries; per machine, the first that "
                    + "selects it:");
            for (Machine m : machines) {
                out.println("  " + m.name() + "\t"
                        + c.policy()
                                .entryFor(ref -> io.github.sshfleet.fleet.HostSelector.selects(ref, m, store.groups()))
                                .map(io.github.sshfleet.policy.Policy.Entry::describe)
                                .orElse("no entry: mode full"));
            }
        }
        if (c.hostKeyPolicy() == HostKeyPolicy.OFF) {
            problems.add(ConfigProblem.warning("host_key_policy", "off: host keys are not verified"));
        }
        if (problems.isEmpty()) {
            out.println("no problems found");
        } else {
            out.println("problems:");
            problems.forEach(p -> out.println("  " + p));
        }
        return problems.stream().anyMatch(ConfigProblem::isError) ? 1 : 0;
    }

    /** slf4j-simple reads these once, when the first logger is created: so this runs first. */
    private static void configureLogging(String level) {
        String l = level == null || level.isBlank() ? "info" : level.strip().toLowerCase();
        if (!Set.of("trace", "debug", "info", "warn", "error", "off").contains(l)) {
            l = "info";
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        // The level applies to ssh-fleet's own log lines only. Libraries stay at warn whatever it is: the MCP SDK
        // logs every request with its arguments at debug (add_host passwords, write_file content, run_script env)
        // and MINA logs packet contents at debug and trace, so raising them would put secrets in the log.
        boolean quieter = Set.of("error", "off").contains(l);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", quieter ? l : "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.github.sshfleet", l);
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    }

    static String version() {
        return BuildInfo.version();
    }
}
