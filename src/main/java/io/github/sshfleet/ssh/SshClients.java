package io.github.sshfleet.ssh;

import io.github.sshfleet.config.FleetConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.SftpModuleProperties;

/**
 * The one place MINA SSHD is configured. MINA's defaults suit a general client, not this one: it accepts any host
 * key, reads ~/.ssh/config and ~/.ssh/id_*, and closes sessions idle for 10 minutes. Here host keys are verified,
 * only the credentials named in the hosts file are offered, and idleness is the pool's decision.
 */
public final class SshClients {

    private SshClients() {}

    /** Keepalives without a reply before a session is declared dead (OpenSSH's ServerAliveCountMax default). */
    static final int KEEPALIVE_COUNT = 3;

    private static final AttributeRepository.AttributeKey<Throwable> CLOSE_CAUSE =
            new AttributeRepository.AttributeKey<>();

    /**
     * Why a session closed, in words for the agent, when it was not a plain disconnect: a host that stopped answering
     * keepalives is told apart from one that hung up.
     */
    static String closeReason(Session session, Duration keepaliveInterval) {
        Throwable t = session.getAttribute(CLOSE_CAUSE);
        if (t != null && String.valueOf(t.getMessage()).contains("heartbeat")) {
            long s = keepaliveInterval.toSeconds();
            return "the host stopped answering: no reply to " + KEEPALIVE_COUNT + " keepalives, " + s + " s apart "
                    + "(keepalive_interval " + s + " s x " + KEEPALIVE_COUNT + " = " + s * KEEPALIVE_COUNT
                    + " s); it may be frozen, overloaded or cut off";
        }
        return t == null ? null : t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    /**
     * AES-GCM first: the JDK runs it on AES-NI/CLMUL, while MINA's chacha20-poly1305 (its default first choice) is
     * plain Java and caps SFTP at about a third of OpenSSH's speed. The other ciphers stay, in MINA's order.
     */
    static List<NamedFactory<Cipher>> preferredCiphers(List<NamedFactory<Cipher>> defaults) {
        List<NamedFactory<Cipher>> ordered = new ArrayList<>();
        for (BuiltinCiphers c : List.of(BuiltinCiphers.aes128gcm, BuiltinCiphers.aes256gcm)) {
            if (c.isSupported()) {
                ordered.add(c);
            }
        }
        defaults.stream().filter(f -> !ordered.contains(f)).forEach(ordered::add);
        return ordered;
    }

    /**
     * curve25519-sha256 first: MINA offers the post-quantum hybrids first, whose key generation runs in pure Java and
     * cost about three times the CPU per connect; with hundreds of cold hosts that CPU is what makes connects time
     * out. The hybrids stay in the list, after it, in MINA's order. {@code kex:} in config.yaml replaces the list.
     */
    static List<KeyExchangeFactory> preferredKex(List<String> configured, List<KeyExchangeFactory> defaults) {
        if (!configured.isEmpty()) { // kex: in config.yaml, validated there: exactly those, in that order
            List<KeyExchangeFactory> chosen = new ArrayList<>();
            for (String name : configured) {
                // One MINA leaves out of its defaults (diffie-hellman-group14-sha1, which an old device may offer
                // alone) is built the way MINA builds its own; before, it was dropped and the defaults used instead.
                KeyExchangeFactory f = defaults.stream()
                        .filter(d -> d.getName().equals(name))
                        .findFirst()
                        .orElseGet(() -> {
                            BuiltinDHFactories dh = BuiltinDHFactories.fromFactoryName(name);
                            return dh != null && dh.isSupported() ? ClientBuilder.DH2KEX.apply(dh) : null;
                        });
                if (f != null) {
                    chosen.add(f);
                }
            }
            if (!chosen.isEmpty()) {
                return chosen;
            }
        }
        List<KeyExchangeFactory> ordered = new ArrayList<>();
        for (String first : List.of("curve25519-sha256", "curve25519-sha256@libssh.org")) {
            defaults.stream().filter(f -> f.getName().equals(first)).forEach(ordered::add);
        }
        defaults.stream().filter(f -> !ordered.contains(f)).forEach(ordered::add);
        return ordered;
    }

    /**
     * The JCA providers MINA is to use (see {@link BouncyCastleOnDemand}); call before anything else touches MINA's
     * cryptography. Idempotent and cheap after the first call.
     */
    public static void installProviders() {
        BouncyCastleOnDemand.install();
    }

    /** The ssh-agent socket to use, if any: ssh_agent in config.yaml, else $SSH_AUTH_SOCK; "off" disables it. */
    static java.util.Optional<java.nio.file.Path> agentSocket(FleetConfig config) {
        String v = config.sshAgent() != null ? config.sshAgent() : System.getenv("SSH_AUTH_SOCK");
        if (v == null || v.isBlank() || v.equalsIgnoreCase("off")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(java.nio.file.Path.of(v));
    }

    /**
     * {@code forwardTargets}: which local addresses a host may open connections to through a remote port forward
     * (forwarded-tcpip). MINA refuses all by default; ssh-fleet allows exactly the targets of the forwards it started.
     * Nothing else (agent, X11, listening) is ever allowed.
     */
    public static SshClient create(
            FleetConfig config,
            java.util.function.Predicate<org.apache.sshd.common.util.net.SshdSocketAddress> forwardTargets) {
        installProviders();
        SshClient client = SshClient.setUpDefaultClient();
        HostKeyVerifier verifier = new HostKeyVerifier(
                config.knownHosts(),
                config.hostKeyPolicy(),
                java.time.Clock.systemUTC(),
                config.revokedHostKeys().orElse(null));
        client.setServerKeyVerifier(verifier);
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setCipherFactories(preferredCiphers(client.getCipherFactories()));
        client.setKeyExchangeFactories(
                HostCertificates.checkedByVerifier(preferredKex(config.kex(), client.getKeyExchangeFactories())));
        client.setKexExtensionHandler(new CertificateProposal(client.getKexExtensionHandler(), verifier));
        // A certificate that fails MINA's own check (group exchange only) ends the connection; the default would
        // carry on with the bare key, which accept-new would pin.
        CoreModuleProperties.ABORT_ON_INVALID_CERTIFICATE.set(client, true);
        client.setForwardingFilter(org.apache.sshd.server.forward.ForwardingFilter.asForwardingFilter(
                (session, type) -> false,
                (session, type) -> false,
                new org.apache.sshd.server.forward.TcpForwardingFilter() {
                    @Override
                    public boolean canListen(
                            org.apache.sshd.common.util.net.SshdSocketAddress address,
                            org.apache.sshd.common.session.Session session) {
                        return false;
                    }

                    @Override
                    public boolean canConnect(
                            Type type,
                            org.apache.sshd.common.util.net.SshdSocketAddress address,
                            org.apache.sshd.common.session.Session session) {
                        return type == Type.Forwarded && forwardTargets.test(address);
                    }
                }));
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        agentSocket(config).ifPresent(sock -> client.setAgentFactory(UnixAgent.factory(sock)));
        // Want-reply heartbeats: a peer that vanished without a FIN (or whose sshd is stopped) is dropped after
        // KEEPALIVE_COUNT intervals without a reply, as OpenSSH's ServerAliveInterval x ServerAliveCountMax. MINA
        // closes the session when a heartbeat is due and more than NO_REPLY_MAX are outstanding, hence count - 1.
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, config.keepaliveInterval());
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, KEEPALIVE_COUNT - 1);
        client.addSessionListener(new SessionListener() {
            @Override
            public void sessionException(Session session, Throwable t) {
                session.setAttribute(CLOSE_CAUSE, t);
            }
        });
        CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO); // the pool closes idle sessions itself
        // Without TCP_NODELAY every small request waits out Nagle + delayed ACK: ~40 ms per exec instead of ~3.
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        CoreModuleProperties.AUTH_TIMEOUT.set(client, config.connectTimeout());
        CoreModuleProperties.CHANNEL_OPEN_TIMEOUT.set(client, config.connectTimeout());
        SftpModuleProperties.SFTP_CHANNEL_OPEN_TIMEOUT.set(client, config.connectTimeout());
        // An 8 MiB channel window (MINA: 2 MiB) keeps ~32 pipelined 252 KiB SFTP reads in flight on downloads.
        CoreModuleProperties.WINDOW_SIZE.set(client, 8L << 20);
        client.start();
        return client;
    }
}
