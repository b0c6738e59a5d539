package io.github.sshfleet.fleet;

import java.util.Map;
import java.util.Objects;

/**
 * A machine the fleet can reach. Equality covers address and credentials, so a reload can tell which pooled
 * sessions have become stale. {@link #toString()} never prints secrets.
 *
 * @param port      effective port (the hosts line's, else default_port)
 * @param password  login password, also fed to sudo; null for key-only machines
 * @param metadata  status/owner data keyed as in the reference (hostname, version, os_version, machine_state, owner)
 * @param unsetPasswordEnv the VAR of an {@code env:VAR} password that was not set when the machine was loaded (so
 *                  the error can say exactly that), else null
 * @param certFile  the user certificate given for the key (cert=, CertificateFile), else null: a
 *                  {@code <key>-cert.pub} beside the key is then used when it exists, as ssh does
 * @param proxyCommand the operator's ProxyCommand that carries the connection, or null
 */
public record Machine(
        String name,
        String host,
        int port,
        String username,
        String password,
        String keyFile,
        String passphrase,
        Origin origin,
        String source,
        Map<String, Object> metadata,
        NetworkDevice device,
        String jump,
        String unsetPasswordEnv,
        String certFile,
        String proxyCommand) {

    /** A router or switch: commands go through its interactive CLI; {@code enablePassword} null = no enable. */
    public record NetworkDevice(String enablePassword) {
        @Override
        public String toString() {
            return "NetworkDevice[enable=" + (enablePassword == null ? "no" : "***") + "]";
        }
    }

    public Machine(
            String name,
            String host,
            int port,
            String username,
            String password,
            String keyFile,
            String passphrase,
            Origin origin,
            String source,
            Map<String, Object> metadata) {
        this(
                name,
                host,
                port,
                username,
                password,
                keyFile,
                passphrase,
                origin,
                source,
                metadata,
                null,
                null,
                null,
                null,
                null);
    }

    public Machine(
            String name,
            String host,
            int port,
            String username,
            String password,
            String keyFile,
            String passphrase,
            Origin origin,
            String source,
            Map<String, Object> metadata,
            NetworkDevice device) {
        this(
                name,
                host,
                port,
                username,
                password,
                keyFile,
                passphrase,
                origin,
                source,
                metadata,
                device,
                null,
                null,
                null,
                null);
    }

    /** Where the machine came from: the hosts file (permanent) or add_host(permanent=false) (this process only). */
    public enum Origin {
        HOSTS_FILE,
        SSH_CONFIG,
        TEMPORARY
    }

    public Machine {
        metadata = Map.copyOf(metadata);
    }

    /** host:port as ssh would print it: [v6]:port for IPv6. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    public String authKind() {
        return keyFile != null ? "key" : "password";
    }

    /** The pool keys sessions by this: a change in any of it means the old session must not be reused. */
    public ConnectionKey connectionKey() {
        return new ConnectionKey(host, port, username, password, keyFile, passphrase, jump, certFile, proxyCommand);
    }

    public Machine withMetadata(Map<String, Object> newMetadata) {
        return new Machine(
                name,
                host,
                port,
                username,
                password,
                keyFile,
                passphrase,
                origin,
                source,
                newMetadata,
                device,
                jump,
                unsetPasswordEnv,
                certFile,
                proxyCommand);
    }

    /** The same machine reached through {@code jumpChain} instead of its own jump host. */
    public Machine withJump(String jumpChain) {
        return new Machine(
                name,
                host,
                port,
                username,
                password,
                keyFile,
                passphrase,
                origin,
                source,
                metadata,
                device,
                jumpChain,
                unsetPasswordEnv,
                certFile,
                proxyCommand);
    }

    /**
     * Identity of a connection: same key, same authenticated session. Secrets masked in toString.
     * <p>
     * equals and hashCode are written out: a record's own are linked on first use by ObjectMethods' bootstrap, which
     * for nine components spins 16 method-handle classes through ASM (and sets the JIT compiling them) on the way to
     * the first connect of every server: ~110 ms of CPU and 25 ms of that call's latency, measured. MachineTest
     * checks that every component takes part in both.
     */
    public record ConnectionKey(
            String host,
            int port,
            String username,
            String password,
            String keyFile,
            String passphrase,
            String jump,
            String certFile,
            String proxyCommand) {
        @Override
        public String toString() {
            return username + "@" + host + ":" + port;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ConnectionKey k
                    && port == k.port
                    && Objects.equals(host, k.host)
                    && Objects.equals(username, k.username)
                    && Objects.equals(password, k.password)
                    && Objects.equals(keyFile, k.keyFile)
                    && Objects.equals(passphrase, k.passphrase)
                    && Objects.equals(jump, k.jump)
                    && Objects.equals(certFile, k.certFile)
                    && Objects.equals(proxyCommand, k.proxyCommand);
        }

        @Override
        public int hashCode() {
            int h = port;
            for (String s :
                    new String[] {host, username, password, keyFile, passphrase, jump, certFile, proxyCommand}) {
                h = 31 * h + Objects.hashCode(s);
            }
            return h;
        }
    }

    @Override
    public String toString() {
        return "Machine[" + name + " " + username + "@" + address() + " auth=" + authKind() + " " + origin + "]";
    }
}
