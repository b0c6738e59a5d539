package io.github.sshfleet.ssh;

import io.github.sshfleet.config.HostKeyPolicy;
import io.github.sshfleet.core.PrivateFiles;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * known_hosts verification per {@link HostKeyPolicy}. Written here rather than using MINA's
 * KnownHostsServerKeyVerifier because that one compares only the first entry for a host, so a host listed with
 * several key types (normal for OpenSSH) looks "changed". A host is accepted when any of its entries holds the
 * presented key; the outcome is left on the session so the pool can explain a refusal with both fingerprints.
 */
final class HostKeyVerifier implements ServerKeyVerifier {

    private static final Logger log = LoggerFactory.getLogger(HostKeyVerifier.class);

    /** Why a key was refused, for the error text. */
    record Refusal(
            boolean changed,
            String hostPattern,
            String presented,
            String presentedType,
            List<String> known,
            Path knownHosts) {}

    /**
     * Refusals by session. Not a session attribute: MINA clears attributes when the session closes, which races the
     * caller reading why its login failed.
     */
    private final Map<ClientSession, Refusal> refusals = Collections.synchronizedMap(new WeakHashMap<>());

    /** Why this session's host key was refused, or null if it was not. */
    Refusal refusal(ClientSession session) {
        return refusals.remove(session);
    }

    private final Path knownHosts;
    private final HostKeyPolicy policy;

    HostKeyVerifier(Path knownHosts, HostKeyPolicy policy) {
        this.knownHosts = knownHosts;
        this.policy = policy;
    }

    /** Loopback relay port -> the jump target it stands for (host key checked under the target's own name). */
    private final java.util.Map<Integer, SshdSocketAddress> relays = new java.util.concurrent.ConcurrentHashMap<>();

    void expectRelay(int relayPort, String host, int port) {
        relays.put(relayPort, new SshdSocketAddress(host, port));
    }

    void forgetRelay(int relayPort) {
        relays.remove(relayPort);
    }

    // Long on purpose: every known_hosts decision for one key (relay target, revoked, match, mismatch, accept-new) in
    // the order OpenSSH takes them.
    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
        if (policy == HostKeyPolicy.OFF) {
            return true;
        }
        String host;
        int port;
        SocketAddress connect = session.getConnectAddress();
        if (connect instanceof SshdSocketAddress s) {
            host = s.getHostName();
            port = s.getPort();
        } else if (connect instanceof InetSocketAddress s) {
            host = s.getHostString();
            port = s.getPort();
        } else {
            log.warn("cannot tell which host {} is; refusing its key", connect);
            return false;
        }
        SshdSocketAddress relayed = (host.equals("127.0.0.1") || host.equals("localhost")) ? relays.get(port) : null;
        if (relayed != null) { // a session through a jump host: the key must be the target's
            host = relayed.getHostName();
            port = relayed.getPort();
        }
        String pattern = port == 22 ? host : "[" + host + "]:" + port;
        List<String> known = new ArrayList<>();
        synchronized (HostKeyVerifier.class) {
            try {
                for (KnownHostEntry entry : read()) {
                    if (entry.getMarker() != null && !"revoked".equals(entry.getMarker())) {
                        continue; // @cert-authority lines: not supported, not a match either
                    }
                    if (!entry.isHostMatch(host, port)) {
                        continue;
                    }
                    PublicKey k = entry.getKeyEntry().resolvePublicKey(session, PublicKeyEntryResolver.IGNORING);
                    if (k == null) {
                        continue;
                    }
                    boolean same = KeyUtils.compareKeys(k, key);
                    if ("revoked".equals(entry.getMarker())) {
                        if (same) {
                            return refuse(session, key, pattern, true, List.of("(this key is marked @revoked)"));
                        }
                        continue;
                    }
                    if (same) {
                        return true;
                    }
                    known.add(KeyUtils.getKeyType(k) + " " + KeyUtils.getFingerPrint(k));
                }
            } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
                log.warn("cannot read known_hosts {}: {}", knownHosts, e.toString());
                return refuse(
                        session, key, pattern, false, List.of("(known_hosts unreadable: " + e.getMessage() + ")"));
            }
            if (!known.isEmpty() || policy == HostKeyPolicy.STRICT) {
                return refuse(session, key, pattern, !known.isEmpty(), known);
            }
            try {
                append(pattern, key);
                log.info(
                        "accepted new host key for {}: {} {} (recorded in {})",
                        pattern,
                        KeyUtils.getKeyType(key),
                        KeyUtils.getFingerPrint(key),
                        knownHosts);
                return true;
            } catch (IOException e) {
                log.warn("cannot record host key in {}: {}", knownHosts, e.toString());
                return refuse(
                        session, key, pattern, false, List.of("(could not write known_hosts: " + e.getMessage() + ")"));
            }
        }
    }

    /** Remembers why this session's key was refused (the connect error quotes it) and refuses it. */
    private boolean refuse(ClientSession session, PublicKey key, String pattern, boolean mismatch, List<String> known) {
        refusals.put(
                session,
                new Refusal(
                        mismatch, pattern, KeyUtils.getFingerPrint(key), KeyUtils.getKeyType(key), known, knownHosts));
        return false;
    }

    private List<KnownHostEntry> read() throws IOException {
        if (!Files.exists(knownHosts)) {
            return List.of();
        }
        return KnownHostEntry.readKnownHostEntries(knownHosts);
    }

    private void append(String pattern, PublicKey key) throws IOException {
        Path dir = knownHosts.toAbsolutePath().getParent();
        if (dir != null) {
            PrivateFiles.directory(dir);
        }
        if (!Files.exists(knownHosts)) {
            Files.createFile(knownHosts, PrivateFiles.ownerOnly());
        }
        String line = pattern + " " + PublicKeyEntry.toString(key) + "\n";
        long size = Files.size(knownHosts);
        if (size > 0) {
            try (var ch = java.nio.channels.FileChannel.open(knownHosts, StandardOpenOption.READ)) {
                var last = java.nio.ByteBuffer.allocate(1);
                ch.read(last, size - 1);
                if (last.get(0) != '\n') {
                    line = "\n" + line; // a hand-edited file without a final newline must not swallow our line
                }
            }
        }
        try (Writer w = Files.newBufferedWriter(knownHosts, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            w.write(line);
        }
    }
}
