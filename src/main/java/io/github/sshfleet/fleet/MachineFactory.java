package io.github.sshfleet.fleet;

import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.config.HostEntry;
import java.util.Map;
import java.util.function.Function;

/** Turns a hosts-file, ssh_config or ad-hoc entry into a {@link Machine}: defaults applied, secrets resolved. */
final class MachineFactory {

    private final FleetConfig config;
    private final SecretSource secrets;
    private final Function<String, String> env;

    MachineFactory(FleetConfig config, SecretSource secrets, Function<String, String> env) {
        this.config = config;
        this.secrets = secrets;
        this.env = env;
    }

    Machine fromEntry(HostEntry e, Machine.Origin origin) {
        return fromEntry(
                e,
                origin,
                origin == Machine.Origin.TEMPORARY
                        ? "temporary"
                        : config.authFile() + (e.line() > 0 ? ":" + e.line() : ""));
    }

    /** {@code source} says where the machine came from, for list_machines and error messages. */
    Machine fromEntry(HostEntry e, Machine.Origin origin, String source) {
        int port = e.port() == 0 ? config.defaultPort() : e.port();
        String password = secrets.password(e.name(), e.password(), e.keyFile() != null);
        Machine.NetworkDevice device = e.device() == null
                ? null
                : new Machine.NetworkDevice(
                        e.enable() == null ? null : e.enable().isEmpty() ? password : e.enable());
        return new Machine(
                e.name(),
                e.address(),
                port,
                e.username(),
                password,
                e.keyFile(),
                e.passphrase(),
                origin,
                source,
                Map.of(),
                device,
                e.jump(),
                unsetEnv(e.password()),
                e.certFile(),
                e.proxyCommand());
    }

    /** The VAR of an env:VAR password that is not set in this process's environment, else null. */
    private String unsetEnv(String fromHostsFile) {
        if (fromHostsFile == null || !fromHostsFile.startsWith("env:")) {
            return null;
        }
        String v = env.apply(fromHostsFile.substring(4));
        return v == null || v.isEmpty() ? fromHostsFile.substring(4) : null;
    }

    private static final java.util.regex.Pattern ADHOC = java.util.regex.Pattern.compile(
            "([A-Za-z_][A-Za-z0-9._-]{0,31})@([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(?::(\\d{1,5}))?");

    /**
     * allow_adhoc_hosts: a {@code user@host[:port]} target in neither file, used as is for this call (not stored).
     * It authenticates with the agent or a credential-store entry named like the target; its host key goes through
     * the same known_hosts policy as every machine. Null when {@code target} is not of that form.
     */
    Machine adhoc(String target) {
        java.util.regex.Matcher mt = ADHOC.matcher(target.strip());
        if (!mt.matches()) {
            return null;
        }
        String host = mt.group(2).startsWith("[")
                ? mt.group(2).substring(1, mt.group(2).length() - 1)
                : mt.group(2);
        int port = mt.group(3) == null ? config.defaultPort() : Integer.parseInt(mt.group(3));
        if (port < 1 || port > 65535) {
            return null;
        }
        String password = secrets.stored(target.strip());
        return new Machine(
                target.strip(),
                host,
                port,
                mt.group(1),
                password,
                null,
                null,
                Machine.Origin.TEMPORARY,
                "ad-hoc target (allow_adhoc_hosts)",
                Map.of(),
                null);
    }
}
