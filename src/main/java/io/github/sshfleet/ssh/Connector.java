package io.github.sshfleet.ssh;

import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.fleet.Machine;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Opens and authenticates one session within a deadline, and turns every way that can fail into a
 * {@link FleetException} that tells the agent what to do next.
 */
final class Connector {

    private final SshClient client;
    private final FleetConfig config;

    SshClient client() {
        return client;
    }

    /** {@code pool}: where jump hosts' sessions come from (null: jump= machines cannot be reached). */
    Connector(SshClient client, FleetConfig config, ConnectionPool pool) {
        this.client = client;
        this.config = config;
        this.pool = pool;
    }

    private final ConnectionPool pool;
    private static final int MAX_HOPS = 5;

    // Long on purpose: the connect sequence (TCP, KEX, host key, each auth method, its errors) read top to bottom, as
    // the ssh client does it.
    ClientSession connect(Machine m, Deadline callDeadline) {
        if (m.password() == null && m.unsetPasswordEnv() != null && m.keyFile() == null) {
            String var = m.unsetPasswordEnv();
            throw new FleetException(
                    Kind.AUTH_FAILED,
                    m.name() + "'s password comes from env:" + var + " (" + m.source()
                            + "), but " + var
                            + " is not set in ssh-fleet's environment. Pass it when registering the server: "
                            + "claude mcp add --env " + var
                            + "=... ssh-fleet -- java -jar ssh-fleet.jar; for Codex CLI add "
                            + "env = { " + var
                            + " = \"...\" } to [mcp_servers.ssh-fleet] in ~/.codex/config.toml. Then "
                            + "restart the server (the environment is read when it starts).");
        }
        if (m.password() == null
                && m.keyFile() == null
                && SshClients.agentSocket(config).isEmpty()) {
            throw new FleetException(
                    Kind.AUTH_FAILED,
                    m.name() + " has no password and no key: add one with "
                            + "'java -jar ssh-fleet.jar credentials set " + m.name() + "' and start ssh-fleet with "
                            + "SSH_FLEET_MASTER_PASSWORD, load a key into ssh-agent (SSH_AUTH_SOCK), or put user:password (or env:VAR) or key=/path on its line in "
                            + m.source() + ", then call reload_machines.");
        }
        // Before any packet: an expired or mismatched user certificate is the operator's to fix, not a failed login.
        org.apache.sshd.common.config.keys.OpenSshCertificate certificate =
                UserCertificates.check(m, java.time.Instant.now());
        Deadline deadline = callDeadline.cappedAt(config.connectTimeout());
        ClientSession session = null;
        Hop hop = m.jump() == null ? null : hop(m, callDeadline);
        ProxyRelay proxy = m.proxyCommand() == null ? null : proxy(m, deadline);
        try {
            // The context names the machine's own host and port: through a relay the TCP peer is 127.0.0.1, and
            // the host key (and a host certificate's principals) must still be the machine's.
            org.apache.sshd.common.AttributeRepository target = HostKeyVerifier.context(m.host(), m.port());
            ConnectFuture cf = proxy != null
                    ? client.connect(m.username(), "127.0.0.1", proxy.port(), target, null)
                    : hop == null
                            ? client.connect(m.username(), m.host(), m.port(), target, null)
                            : client.connect(
                                    m.username(), "127.0.0.1", hop.relay().port(), target, null);
            if (!cf.await(deadline.waitMillis())) {
                cf.cancel();
                throw new FleetException(
                        Kind.UNREACHABLE,
                        "cannot reach " + m.name() + " (" + m.address()
                                + "): no answer within "
                                + config.connectTimeout().toSeconds()
                                + "s. Check that the machine is up and the address/port " + where(m) + " are right.");
            }
            if (cf.getException() != null) {
                throw unreachable(m, cf.getException());
            }
            session = cf.getSession();
            addIdentities(session, m, certificate);
            AuthFuture auth = session.auth();
            if (!auth.await(deadline.waitMillis())) {
                throw refusedOrElse(
                        session,
                        m,
                        new FleetException(
                                Kind.TIMEOUT,
                                "connected to " + m.name() + " ("
                                        + m.address() + ") but login did not finish within "
                                        + config.connectTimeout().toSeconds()
                                        + "s; the server may be overloaded, or a host key prompt is pending elsewhere."));
            }
            if (!auth.isSuccess()) {
                String noCommonAlgorithm = negotiationFailure(auth.getException());
                if (noCommonAlgorithm != null) { // before the login: neither the credentials nor the network
                    throw refusedOrElse(session, m, incompatible(m, noCommonAlgorithm));
                }
                if (!session.isOpen()
                        && auth.getException() != null
                        && !(auth.getException() instanceof org.apache.sshd.common.SshException se
                                && se.getDisconnectCode() != 0
                                && se.getDisconnectCode()
                                        == org.apache.sshd.common.SshConstants
                                                .SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE)) {
                    // The connection went away while logging in: not the credentials' fault.
                    throw refusedOrElse(
                            session,
                            m,
                            new FleetException(
                                    Kind.CONNECTION_LOST,
                                    "the connection to "
                                            + m.name() + " (" + m.address() + ") was lost during login ("
                                            + auth.getException().getMessage()
                                            + "): the server or the network dropped it, not a credentials problem. "
                                            + "Retry; if it keeps happening check the server's sshd (MaxStartups, load, logs)."));
                }
                throw refusedOrElse(session, m, authFailed(m, auth.getException()));
            }
            ClientSession ok = session;
            session = null;
            if (proxy != null) {
                ProxyRelay p = proxy;
                proxy = null;
                ok.addCloseFutureListener(f -> p.close()); // the command dies with the session
            }
            if (hop != null) {
                Hop h = hop;
                hop = null;
                // The jump session stays leased while this one lives; both are released when it closes.
                ok.addCloseFutureListener(f -> h.close());
            }
            return ok;
        } catch (IOException e) {
            throw withProxyStderr(proxy, unreachable(m, e));
        } catch (FleetException e) {
            throw withProxyStderr(proxy, e);
        } finally {
            if (proxy != null) {
                proxy.close();
            }
            if (session != null) {
                session.close(true);
            }
            if (hop != null) {
                hop.close();
            }
        }
    }

    /** The machine's ProxyCommand, started, with the loopback port its connection goes through. */
    private static ProxyRelay proxy(Machine m, Deadline deadline) {
        try {
            return ProxyRelay.open(m.proxyCommand(), m.host(), m.port(), m.username(), m.name(), deadline.waitMillis());
        } catch (IOException | RuntimeException e) {
            throw new FleetException(
                    Kind.UNREACHABLE,
                    "cannot start the ProxyCommand for " + m.name() + " (" + e.getMessage() + "); check proxy= or "
                            + "ProxyCommand in " + m.source() + ".");
        }
    }

    /** A connect failure through a ProxyCommand says what the command wrote to stderr: usually the real reason. */
    private static FleetException withProxyStderr(ProxyRelay proxy, FleetException e) {
        if (proxy == null || proxy.stderrHead().isEmpty() || e.kind() == Kind.HOST_KEY) {
            return e;
        }
        return new FleetException(e.kind(), e.getMessage() + " The ProxyCommand said: " + proxy.stderrHead(), e);
    }

    /** A leased jump session and the relay through it. */
    private record Hop(Lease lease, JumpRelay relay) {
        void close() {
            relay.close();
            lease.close();
        }
    }

    private Hop hop(Machine m, Deadline deadline) {
        if (pool == null) {
            throw new FleetException(
                    Kind.UNREACHABLE,
                    m.name() + " is behind jump host " + m.jump() + ", which this connector cannot reach.");
        }
        Machine jump = pool.resolveJump(m);
        int depth = 0;
        for (Machine j = jump; j.jump() != null; j = pool.resolveJump(j)) {
            if (++depth > MAX_HOPS || j.name().equalsIgnoreCase(m.name())) {
                throw new FleetException(
                        Kind.BAD_ARGUMENT,
                        m.name() + ": the jump chain through " + m.jump() + " loops or is longer than " + MAX_HOPS
                                + " hops; fix jump= in " + m.source() + ".");
            }
        }
        Lease lease = pool.acquire(jump, deadline);
        try {
            JumpRelay relay = JumpRelay.open(
                    lease.session(), m.host(), m.port(), config.connectTimeout().toMillis());
            return new Hop(lease, relay);
        } catch (IOException | RuntimeException e) {
            lease.close();
            throw new FleetException(
                    Kind.UNREACHABLE,
                    "cannot reach " + m.name() + " through jump host " + jump.name() + ": " + e.getMessage(),
                    e);
        }
    }

    private void addIdentities(
            ClientSession session, Machine m, org.apache.sshd.common.config.keys.OpenSshCertificate certificate) {
        if (m.keyFile() != null) {
            Path key = Path.of(m.keyFile());
            String passphrase = m.passphrase() != null ? m.passphrase() : m.password();
            try (InputStream in = Files.newInputStream(key)) {
                FilePasswordProvider provider =
                        passphrase == null ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(passphrase);
                Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(
                        session, NamedResource.ofName(key.toString()), in, provider);
                if (pairs == null || !pairs.iterator().hasNext()) {
                    throw new FleetException(
                            Kind.AUTH_FAILED,
                            "key file " + key + " for " + m.name() + " holds no private key. Point key= in "
                                    + m.source() + " at the private key, not the .pub.");
                }
                UserCertificates.offer(certificate, pairs, m).forEach(session::addPublicKeyIdentity);
            } catch (NoSuchFileException e) {
                throw new FleetException(
                        Kind.AUTH_FAILED,
                        "key file " + key + " for " + m.name() + " does not exist. Fix key= in " + m.source()
                                + ", then call reload_machines.");
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                if (e instanceof FleetException fe) {
                    throw fe;
                }
                String hint = passphrase == null
                        ? "If the key is encrypted, add its passphrase as a column 'passphrase=...' on the machine's line in "
                                + m.source() + " (it is never shown), then call reload_machines."
                        : "The passphrase given for it did not open it (wrong passphrase?), or the key format is not "
                                + "supported (OpenSSH, PEM and PKCS#8 ed25519/RSA/ECDSA keys are).";
                throw new FleetException(
                        Kind.AUTH_FAILED,
                        "cannot load key " + key + " for " + m.name() + " ("
                                + e.getClass().getSimpleName() + "). " + hint);
            }
        }
        if (m.password() != null) {
            session.addPasswordIdentity(m.password());
        }
    }

    /** A host key refusal shows up as a failed login; report it as what it is. */
    private FleetException refusedOrElse(ClientSession session, Machine m, FleetException otherwise) {
        HostKeyVerifier.Refusal r =
                client.getServerKeyVerifier() instanceof HostKeyVerifier v ? v.refusal(session) : null;
        if (r == null) {
            return otherwise;
        }
        if (r.revoked() != null) {
            return new FleetException(
                    Kind.HOST_KEY,
                    "HOST KEY REVOKED for " + m.name() + " (" + r.hostPattern() + "): the server presented "
                            + r.presentedType() + " " + r.presented() + ", and " + r.revoked()
                            + ". Refusing to connect, whatever known_hosts says.");
        }
        if (r.certificate() != null) {
            return new FleetException(
                    Kind.HOST_KEY,
                    "HOST CERTIFICATE REFUSED for " + m.name() + " (" + r.hostPattern() + "): its "
                            + r.certificate() + ". Refusing to connect. If the host was re-certified, check its "
                            + "HostCertificate in sshd_config and the @cert-authority and @revoked lines in "
                            + r.knownHosts() + ".");
        }
        String fix = "ssh-keygen -R '" + r.hostPattern() + "' -f " + r.knownHosts();
        if (r.changed()) {
            return new FleetException(
                    Kind.HOST_KEY,
                    "HOST KEY CHANGED for " + m.name() + " (" + r.hostPattern()
                            + "): the server presented " + r.presentedType() + " " + r.presented() + " but "
                            + r.knownHosts()
                            + " has " + String.join(", ", r.known())
                            + ". Refusing to connect: this can be a man-in-the-middle. "
                            + "If the machine was legitimately reinstalled, verify the new fingerprint out of band, then run '"
                            + fix + "' and retry (the new key is recorded on the next connect).");
        }
        return new FleetException(
                Kind.HOST_KEY,
                "unknown host key for " + m.name() + " (" + r.hostPattern()
                        + "): " + r.presentedType() + " " + r.presented() + " " + String.join(" ", r.known())
                        + ". host_key_policy is strict, so only keys already in " + r.knownHosts()
                        + " are accepted. After "
                        + "checking the fingerprint out of band, add it: ssh-keyscan -p " + m.port() + " " + m.host()
                        + " >> "
                        + r.knownHosts() + " (or set host_key_policy: accept-new).");
    }

    private static FleetException authFailed(Machine m, Throwable cause) {
        String how =
                m.keyFile() != null ? "key " + m.keyFile() + (m.password() != null ? " and password" : "") : "password";
        return new FleetException(
                Kind.AUTH_FAILED,
                "authentication failed for " + m.username() + "@" + m.name() + " ("
                        + m.address() + ") using " + how + (cause != null ? " (" + cause.getMessage() + ")" : "")
                        + ". Check the credentials on the machine's line in " + m.source()
                        + ", then call reload_machines (or add_host with overwrite: true).");
    }

    /** MINA's words when the two sides share no algorithm for a step of the handshake, or null. */
    static String negotiationFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.apache.sshd.common.SshException se
                    && (se.getDisconnectCode()
                                    == org.apache.sshd.common.SshConstants.SSH2_DISCONNECT_KEY_EXCHANGE_FAILED
                            || String.valueOf(se.getMessage()).startsWith("Unable to negotiate"))) {
                return String.valueOf(se.getMessage());
            }
        }
        return null;
    }

    private static FleetException incompatible(Machine m, String mina) {
        String fix = mina.contains("kex algorithms")
                ? "If the host really offers only those, list one of them under kex: in config.yaml (check it with "
                        + "--check-config), then call reload_machines; or update the host's sshd."
                : "Update the host's sshd or its configuration to offer one of ssh-fleet's.";
        return new FleetException(
                Kind.INCOMPATIBLE,
                "cannot talk to " + m.name() + " (" + m.address() + "): it and ssh-fleet share no algorithm for the "
                        + "SSH handshake, so nothing was run and no credentials were sent. "
                        + FleetException.bounded(mina) + ". " + fix);
    }

    /** Where the address came from, as a phrase: "in hosts.tsv:4", or "given to add_host" for a temporary machine. */
    private static String where(Machine m) {
        return m.origin() == Machine.Origin.TEMPORARY ? "given to add_host" : "in " + m.source();
    }

    private static FleetException unreachable(Machine m, Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why;
        if (root instanceof ConnectException) {
            why = "connection refused (is sshd running and listening on port " + m.port() + "?)";
        } else if (root instanceof UnresolvedAddressException || root instanceof UnknownHostException) {
            why = "the name '" + m.host() + "' does not resolve";
        } else if (root instanceof NoRouteToHostException) {
            why = "no route to host";
        } else {
            why = root.getClass().getSimpleName() + (root.getMessage() != null ? ": " + root.getMessage() : "");
        }
        return new FleetException(
                Kind.UNREACHABLE,
                "cannot reach " + m.name() + " (" + m.address() + "): " + why
                        + ". Check the machine and the address/port " + where(m) + ".",
                e);
    }
}
