package io.github.sshfleet.fleet;

import io.github.sshfleet.config.ConfigProblem;
import io.github.sshfleet.config.CredentialStore;
import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.config.HostEntry;
import io.github.sshfleet.config.HostsFile;
import io.github.sshfleet.core.FleetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machines: the hosts file's, enriched with status/owner metadata, plus temporary ones added at run time.
 * Readers get an immutable snapshot ({@link #machines()}); changes (add, reload) are serialized and publish a new one.
 * When a machine's address or credentials change or it disappears, listeners are told so its pooled session closes.
 */
public final class MachineStore {

    private static final Logger log = LoggerFactory.getLogger(MachineStore.class);

    /** Shown whenever the fleet is empty: how to get started, in one breath. */
    public static final String SETUP_HINT = "Create ~/.ssh-fleet/config.yaml (or point $SSH_FLEET_CONFIG at one) "
            + "containing 'auth_file: ~/.ssh-fleet/hosts.tsv', and in that hosts file (chmod 600) one line per machine: "
            + "'web-1<TAB>192.168.1.10<TAB>admin:secret' (or 'admin<TAB>key=~/.ssh/id_ed25519' for a key). "
            + "Then call reload_machines. Or call add_host to register a machine now.";

    /** What reload_machines found. */
    public record ReloadResult(
            List<String> added,
            List<String> removed,
            List<String> changed,
            List<ConfigProblem> problems,
            List<String> metadataWarnings) {}

    /** What add_host did. */
    /** {@code replaced}: each machine the add replaced, as "name (where it was: file:line, or temporary)". */
    public record AddResult(Machine machine, List<String> replaced, Path writtenTo) {}

    private final FleetConfig config;
    private final Path home;
    private final SecretSource secrets;
    private final MachineFactory factory;
    private volatile List<Machine> sshConfigMachines = List.of();
    private final List<Consumer<Machine.ConnectionKey>> invalidationListeners = new CopyOnWriteArrayList<>();

    private List<Machine> fileMachines = List.of(); // guarded by this
    private final Map<String, Machine> temporary = new LinkedHashMap<>(); // guarded by this; lower-case name
    private volatile Map<String, Map<String, Object>> metadataByIp = Map.of();
    private volatile List<Machine> snapshot = List.of();
    private volatile List<ConfigProblem> problems = List.of();
    private volatile ConfigProblem unusable;
    private volatile Map<String, List<String>> groups = Map.of();

    public MachineStore(FleetConfig config, Path home) {
        this(config, home, System::getenv);
    }

    /** {@code env} looks up environment variables (tests pass their own). */
    public MachineStore(FleetConfig config, Path home, java.util.function.Function<String, String> env) {
        this.config = config;
        this.home = home;
        this.secrets = new SecretSource(CredentialStore.defaultFile(home), env);
        this.factory = new MachineFactory(config, secrets, env);
    }

    public void onInvalidated(Consumer<Machine.ConnectionKey> listener) {
        invalidationListeners.add(listener);
    }

    /** Every machine, hosts-file ones first in file order, then temporary ones in the order they were added. */
    public List<Machine> machines() {
        return snapshot;
    }

    /** Problems found by the last read of the hosts file (malformed lines, loose permissions). */
    public List<ConfigProblem> problems() {
        return problems;
    }

    public FleetConfig config() {
        return config;
    }

    /** The home directory ~ expands to (from $HOME, so tests and wrappers can move it). */
    public Path home() {
        return home;
    }

    /**
     * The config could not be parsed: offer no machines at all (never fall back to another hosts file, which could be
     * a different fleet), and let every tool that needs one say why.
     */
    public void refuseAll(ConfigProblem why) {
        this.unusable = why;
    }

    /** Host groups: config.yaml's groups merged with the hosts file's group= columns (group -> member refs). */
    public Map<String, List<String>> groups() {
        return groups;
    }

    /** Why no machines are offered, when the config could not be parsed. */
    public java.util.Optional<ConfigProblem> unusable() {
        return java.util.Optional.ofNullable(unusable);
    }

    private void checkUsable() {
        ConfigProblem why = unusable;
        if (why != null) {
            throw new FleetException(
                    FleetException.Kind.NO_CONFIG,
                    "no machines: the config could not be read (" + why.where() + ": " + why.message() + ")");
        }
    }

    public List<Machine> select(Object hostArg) {
        checkUsable();
        if (config.allowAdhocHosts() && hostArg instanceof String s && adhoc(s) != null) {
            return List.of(adhoc(s));
        }
        return HostSelector.select(hostArg, snapshot, groups);
    }

    public Machine one(String host) {
        checkUsable();
        if (config.allowAdhocHosts()) {
            Machine m = adhoc(host);
            if (m != null) {
                return m;
            }
        }
        return HostSelector.one(host, snapshot, groups);
    }

    /**
     * A jump host by name, or by a ProxyJump-style chain "a,b" (reach b through a): the last hop is returned with the
     * rest of the chain as its own jump, so every hop's session is pooled for exactly that path.
     */
    public Machine jumpHost(String chain) {
        int comma = chain.lastIndexOf(',');
        Machine last =
                hop(comma < 0 ? chain.strip() : chain.substring(comma + 1).strip());
        return comma < 0 ? last : last.withJump(chain.substring(0, comma).strip());
    }

    /** A hop: a known machine, or (as ssh config allows in ProxyJump) a user@host[:port] of the operator's own. */
    private Machine hop(String name) {
        if (snapshot.stream().noneMatch(m -> m.name().equalsIgnoreCase(name))) {
            Machine m = adhoc(name);
            if (m != null) {
                return m;
            }
        }
        return one(name);
    }

    /** Reads the hosts file (at start). Metadata is fetched separately so start-up never waits on the network. */
    public synchronized List<ConfigProblem> loadHostsFile() {
        if (unusable != null) {
            problems = List.of(unusable);
            return problems;
        }
        loadHostsFileLocked();
        publish();
        return problems;
    }

    private void loadHostsFileLocked() {
        HostsFile.Parsed parsed = HostsFile.read(config.authFile(), home);
        secrets.reset();
        fileMachines = parsed.entries().stream()
                .map(e -> factory.fromEntry(e, Machine.Origin.HOSTS_FILE))
                .toList();
        Map<String, List<String>> fromFile = new LinkedHashMap<>();
        parsed.entries()
                .forEach(e -> e.groups()
                        .forEach(g -> fromFile.computeIfAbsent(g, x -> new ArrayList<>())
                                .add(e.name())));
        Map<String, List<String>> merged = new LinkedHashMap<>(config.groups());
        fromFile.forEach((g, names) -> merged.merge(g, names, (a, b) -> {
            List<String> both = new ArrayList<>(a);
            both.addAll(b);
            return both;
        }));
        groups = Map.copyOf(merged);
        List<ConfigProblem> all = new ArrayList<>(parsed.problems());
        sshConfigMachines = List.of();
        if (config.sshConfig().isPresent()) {
            Path f = config.sshConfig().get();
            io.github.sshfleet.config.SshConfigFile.Parsed ssh =
                    io.github.sshfleet.config.SshConfigFile.read(f, home, System.getProperty("user.name", "root"));
            all.addAll(ssh.problems());
            sshConfigMachines = ssh.entries().stream()
                    .map(e -> factory.fromEntry(
                            e, Machine.Origin.SSH_CONFIG, f + ":" + e.line() + " (Host " + e.name() + ")"))
                    .toList();
        }
        secrets.problems()
                .forEach(msg -> all.add(ConfigProblem.warning(config.authFile().toString(), msg)));
        problems = List.copyOf(all);
    }

    /** Fetches status and owners metadata; returns warnings (never throws). */
    public List<String> refreshMetadata() {
        List<String> warnings = new ArrayList<>();
        metadataByIp = MetadataSource.merged(config, home, warnings);
        synchronized (this) {
            publish();
        }
        warnings.forEach(w -> log.warn("{}", w));
        return warnings;
    }

    /**
     * allow_adhoc_hosts: a {@code user@host[:port]} target in neither file, used as is for this call (not stored).
     * Null when {@code target} is not of that form or names a machine.
     */
    private Machine adhoc(String target) {
        if (snapshot.stream().anyMatch(m -> m.name().equalsIgnoreCase(target.strip()))) {
            return null;
        }
        return factory.adhoc(target);
    }

    /** reload_machines: re-read file and metadata, report the difference, drop sessions that became stale. */
    public ReloadResult reload() {
        List<String> metadataWarnings = refreshMetadata();
        synchronized (this) {
            Map<String, Machine> before = byName(fileMachines);
            loadHostsFile();
            Map<String, Machine> after = byName(fileMachines);
            List<String> added = new ArrayList<>();
            List<String> removed = new ArrayList<>();
            List<String> changed = new ArrayList<>();
            after.forEach((name, m) -> {
                Machine old = before.get(name);
                if (old == null) {
                    added.add(m.name());
                } else if (!old.connectionKey().equals(m.connectionKey())) {
                    changed.add(m.name());
                    invalidate(old);
                }
            });
            before.forEach((name, m) -> {
                if (!after.containsKey(name)) {
                    removed.add(m.name());
                    invalidate(m);
                }
            });
            return new ReloadResult(added, removed, changed, problems, metadataWarnings);
        }
    }

    /**
     * add_host. Permanent machines are appended to the hosts file atomically; temporary ones live until the process
     * ends. A clash by name or address is an error naming the existing row, unless overwrite replaces it.
     */
    public synchronized AddResult add(HostEntry entry, boolean permanent, boolean overwrite) throws IOException {
        if (entry.keyFile() != null && !Files.isReadable(Path.of(entry.keyFile()))) {
            throw FleetException.badArgument("key_file '" + entry.keyFile()
                    + "' does not exist or is not readable by the ssh-fleet process; give an absolute path or ~/...");
        }
        Machine candidate = factory.fromEntry(entry, permanent ? Machine.Origin.HOSTS_FILE : Machine.Origin.TEMPORARY);
        List<Machine> clashes =
                snapshot.stream().filter(m -> clashes(m, candidate)).toList();
        if (!clashes.isEmpty() && !overwrite) {
            Machine c = clashes.get(0);
            throw new FleetException(
                    FleetException.Kind.CONFLICT,
                    "machine '" + c.name() + "' (" + c.username()
                            + "@" + c.address() + ", " + describeOrigin(c) + ") already uses this "
                            + (c.name().equalsIgnoreCase(candidate.name())
                                    ? "name"
                                    : "account (same user, address and port)")
                            + ". Pass overwrite: true to replace it, or choose another name.");
        }
        if (!permanent) {
            for (Machine c : clashes) {
                if (c.origin() != Machine.Origin.TEMPORARY) {
                    // A temporary add must not edit the hosts file, and could not shadow a line that stays there.
                    throw new FleetException(
                            FleetException.Kind.CONFLICT,
                            "machine '" + c.name() + "' is defined in "
                                    + describeOrigin(c)
                                    + "; a temporary machine cannot replace it. Pass permanent: true to "
                                    + "replace that line, or choose another name.");
                }
            }
        }
        List<String> replaced = clashes.stream()
                .map(c -> c.name() + " (" + describeOrigin(c) + ")")
                .toList();
        for (Machine c : clashes) {
            temporary.remove(c.name().toLowerCase(Locale.ROOT));
            invalidate(c);
        }
        Path written = null;
        if (permanent) {
            Set<String> clashNames =
                    clashes.stream().map(m -> m.name().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
            HostsFile.write(
                    config.authFile(), entry, e -> clashNames.contains(e.name().toLowerCase(Locale.ROOT)), home);
            written = config.authFile();
            loadHostsFileLocked();
        } else {
            temporary.put(candidate.name().toLowerCase(Locale.ROOT), candidate);
        }
        publish();
        Machine added = snapshot.stream()
                .filter(m -> m.name().equalsIgnoreCase(entry.name()))
                .findFirst()
                .orElse(candidate);
        return new AddResult(added, replaced, written);
    }

    /** Same name, or the same account: two users on one host:port are two machines, legitimately. */
    private static boolean clashes(Machine existing, Machine candidate) {
        return existing.name().equalsIgnoreCase(candidate.name())
                || (existing.host().equalsIgnoreCase(candidate.host())
                        && existing.port() == candidate.port()
                        && existing.username().equals(candidate.username()));
    }

    public String describeOrigin(Machine m) {
        return m.origin() == Machine.Origin.TEMPORARY ? "temporary" : m.source();
    }

    private void invalidate(Machine m) {
        for (Consumer<Machine.ConnectionKey> l : invalidationListeners) {
            l.accept(m.connectionKey());
        }
    }

    /** Recomputes the snapshot; caller holds the lock. Temporary machines never shadow a hosts-file name. */
    private void publish() {
        Map<String, Map<String, Object>> md = metadataByIp;
        List<Machine> all = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        for (Machine m : fileMachines) {
            names.add(m.name().toLowerCase(Locale.ROOT));
            all.add(m.withMetadata(Objects.requireNonNullElse(md.get(m.host()), Map.of())));
        }
        for (Machine m : sshConfigMachines) { // the hosts file wins a name clash
            if (names.add(m.name().toLowerCase(Locale.ROOT))) {
                all.add(m.withMetadata(Objects.requireNonNullElse(md.get(m.host()), Map.of())));
            }
        }
        for (Machine m : temporary.values()) {
            if (names.add(m.name().toLowerCase(Locale.ROOT))) {
                all.add(m.withMetadata(Objects.requireNonNullElse(md.get(m.host()), Map.of())));
            }
        }
        snapshot = List.copyOf(all);
        List<String> secretValues = new ArrayList<>();
        for (Machine m : all) {
            secretValues.add(m.password());
            secretValues.add(m.passphrase());
            if (m.device() != null) {
                secretValues.add(m.device().enablePassword());
            }
        }
        io.github.sshfleet.core.Secrets.register(secretValues); // masked in every output from now on
    }

    private static Map<String, Machine> byName(List<Machine> machines) {
        Map<String, Machine> map = new LinkedHashMap<>();
        machines.forEach(m -> map.put(m.name().toLowerCase(Locale.ROOT), m));
        return map;
    }
}
