package io.github.sshfleet.ssh;

import io.github.sshfleet.config.HostKeyPolicy;
import io.github.sshfleet.core.ChangingFile;
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
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.session.Session;
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

    /**
     * Why a key was refused, for the error text: {@code certificate} says why a host certificate was, {@code revoked}
     * why revoked_host_keys refused the key; both null for a key known_hosts does not hold.
     */
    record Refusal(
            boolean changed,
            String hostPattern,
            String presented,
            String presentedType,
            List<String> known,
            Path knownHosts,
            String certificate,
            String revoked) {}

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
    private final java.time.Clock clock;

    /** Parsed once per change of the file, not once per connect (each connect reads it twice: proposal, verify). */
    private final ChangingFile<List<KnownHostEntry>> entries;

    private final ChangingFile<RevokedKeys> revokedKeys;

    /** {@code revokedHostKeys}: the revocation list every presented key is checked against first, or null. */
    HostKeyVerifier(Path knownHosts, HostKeyPolicy policy, java.time.Clock clock, Path revokedHostKeys) {
        this.knownHosts = knownHosts;
        this.policy = policy;
        this.clock = clock;
        this.entries = new ChangingFile<>(knownHosts, f -> List.copyOf(KnownHostEntry.readKnownHostEntries(f)));
        this.revokedKeys = revokedHostKeys == null ? null : new ChangingFile<>(revokedHostKeys, RevokedKeys::read);
    }

    /**
     * Which host a connection is meant to reach, put in its connection context by the connector: through a jump relay
     * the TCP peer is 127.0.0.1, and the key must still be the target's, checked under the target's own name.
     */
    static final AttributeRepository.AttributeKey<SshdSocketAddress> TARGET = new AttributeRepository.AttributeKey<>();

    static AttributeRepository context(String host, int port) {
        return AttributeRepository.ofKeyValuePair(TARGET, new SshdSocketAddress(host, port));
    }

    /** The host and port the session is meant to reach, or null when it cannot tell. */
    static SshdSocketAddress target(Session session) {
        if (session instanceof ClientSession cs) {
            AttributeRepository context = cs.getConnectionContext();
            SshdSocketAddress t = context == null ? null : context.getAttribute(TARGET);
            if (t != null) {
                return t;
            }
            SocketAddress connect = cs.getConnectAddress();
            if (connect instanceof SshdSocketAddress s) {
                return s;
            }
            if (connect instanceof InetSocketAddress s) {
                return new SshdSocketAddress(s.getHostString(), s.getPort());
            }
        }
        return null;
    }

    /**
     * Whether known_hosts has an @cert-authority line for this host: only then are certificate host-key algorithms
     * offered (first), as OpenSSH prefers what it can verify. A host with a certificate but no CA line here is asked
     * for its bare key, which follows host_key_policy.
     */
    boolean hasAuthorityFor(SshdSocketAddress target) {
        if (policy == HostKeyPolicy.OFF || target == null) {
            return false;
        }
        synchronized (HostKeyVerifier.class) {
            try {
                return read().stream()
                        .anyMatch(e -> "cert-authority".equals(e.getMarker())
                                && matches(e, target.getHostName(), target.getPort()));
            } catch (IOException | RuntimeException e) {
                return false; // the verifier reports an unreadable known_hosts
            }
        }
    }

    // Long on purpose: every known_hosts decision for one key (certificate, revoked, match, mismatch, accept-new) in
    // the order OpenSSH takes them.
    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
        SshdSocketAddress target = target(session);
        String revoked = revoked(key); // before the policy too: off trusts any key, not one revoked by name
        if (revoked != null) {
            String where = target == null ? String.valueOf(remote) : pattern(target);
            log.warn("refused host key {} for {}: {}", KeyUtils.getFingerPrint(key), where, revoked);
            refusals.put(
                    session,
                    new Refusal(
                            false,
                            where,
                            KeyUtils.getFingerPrint(key),
                            KeyUtils.getKeyType(key),
                            List.of(),
                            knownHosts,
                            null,
                            revoked));
            return false;
        }
        if (policy == HostKeyPolicy.OFF) {
            return true;
        }
        if (target == null) {
            log.warn("cannot tell which host {} is; refusing its key", session.getConnectAddress());
            return false;
        }
        String host = target.getHostName();
        int port = target.getPort();
        String pattern = pattern(target);
        List<String> known = new ArrayList<>();
        synchronized (HostKeyVerifier.class) {
            try {
                List<KnownHostEntry> entries = read();
                if (key instanceof OpenSshCertificate cert) {
                    List<PublicKey> authorities = keys(entries, "cert-authority", host, port, session);
                    if (!authorities.isEmpty()) {
                        return certificate(session, cert, authorities, entries, host, port, pattern);
                    }
                    key = cert.getCertPubKey(); // no CA for this host: the bare key is judged, as OpenSSH does
                }
                for (KnownHostEntry entry : entries) {
                    if (entry.getMarker() != null && !"revoked".equals(entry.getMarker())) {
                        continue; // @cert-authority: judged above, for certificates only
                    }
                    if (!matches(entry, host, port)) {
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

    /** How known_hosts names the host: bare on port 22, "[host]:port" elsewhere. */
    private static String pattern(SshdSocketAddress target) {
        return target.getPort() == 22 ? target.getHostName() : "[" + target.getHostName() + "]:" + target.getPort();
    }

    /** Remembers why this session's key was refused (the connect error quotes it) and refuses it. */
    private boolean refuse(ClientSession session, PublicKey key, String pattern, boolean mismatch, List<String> known) {
        refusals.put(
                session,
                new Refusal(
                        mismatch,
                        pattern,
                        KeyUtils.getFingerPrint(key),
                        KeyUtils.getKeyType(key),
                        known,
                        knownHosts,
                        null,
                        null));
        return false;
    }

    /**
     * Why revoked_host_keys refuses {@code key} (a certificate by its CA, serial, key id or key), or null. First, and
     * whatever the policy or known_hosts say, as in ssh. A list that cannot be read refuses every key: it may be the
     * very list that revokes this one.
     */
    private String revoked(PublicKey key) {
        if (revokedKeys == null) {
            return null;
        }
        try {
            return revokedKeys.get().reason(key);
        } catch (IOException | RuntimeException e) {
            return "revoked_host_keys " + revokedKeys.file() + " cannot be read (" + e.getMessage()
                    + "), so no host key is accepted";
        }
    }

    /**
     * A certificate for a host with @cert-authority lines: accepted only when a listed CA signed it, neither that CA
     * nor the key is @revoked, and it is valid for this host now. Nothing is pinned: the CA vouches for the next key.
     */
    private boolean certificate(
            ClientSession session,
            OpenSshCertificate cert,
            List<PublicKey> authorities,
            List<KnownHostEntry> entries,
            String host,
            int port,
            String pattern)
            throws IOException, java.security.GeneralSecurityException {
        String problem = null;
        List<PublicKey> revoked = keys(entries, "revoked", host, port, session);
        if (revoked.stream().anyMatch(k -> KeyUtils.compareKeys(k, cert.getCaPubKey()))) {
            problem = "the CA that signed it (" + HostCertificates.fingerprint(cert.getCaPubKey())
                    + ") is marked @revoked";
        } else if (revoked.stream().anyMatch(k -> KeyUtils.compareKeys(k, cert.getCertPubKey()))) {
            problem = "its key is marked @revoked";
        } else if (authorities.stream().noneMatch(k -> KeyUtils.compareKeys(k, cert.getCaPubKey()))) {
            List<String> trusted = new ArrayList<>();
            authorities.forEach(k -> trusted.add(HostCertificates.fingerprint(k)));
            problem = "it is signed by CA " + HostCertificates.fingerprint(cert.getCaPubKey())
                    + ", which is not an @cert-authority for " + pattern + " (those are: "
                    + String.join(", ", trusted) + ")";
        } else {
            problem = HostCertificates.problem(cert, host, clock.instant(), session);
        }
        if (problem != null) {
            log.warn("refused host {} for {}: {}", HostCertificates.describe(cert), pattern, problem);
            refusals.put(
                    session,
                    new Refusal(
                            false,
                            pattern,
                            KeyUtils.getFingerPrint(cert.getCertPubKey()),
                            KeyUtils.getKeyType(cert),
                            List.of(),
                            knownHosts,
                            HostCertificates.describe(cert) + ": " + problem,
                            null));
            return false;
        }
        log.info("accepted host {} for {}", HostCertificates.describe(cert), pattern);
        return true;
    }

    /**
     * Whether a known_hosts line is about this host, as OpenSSH decides it: off port 22 the name it matches is
     * "[host]:port", so a pattern without a port such as "*" (common on @cert-authority and @revoked lines) matches
     * every port, where MINA's own match would take it for port 22 only. A negated pattern that matches wins.
     */
    static boolean matches(KnownHostEntry e, String host, int port) {
        if (e.isHostMatch(host, port)) {
            return true;
        }
        if (port == 22 || e.getHashedEntry() != null || e.getPatterns() == null) {
            return false;
        }
        String bracketed = "[" + host + "]:" + port;
        boolean matched = false;
        for (org.apache.sshd.client.config.hosts.HostPatternValue v : e.getPatterns()) {
            if (v.getPort() <= 0 && v.getPattern().matcher(bracketed).matches()) {
                if (v.isNegated()) {
                    return false;
                }
                matched = true;
            }
        }
        return matched;
    }

    /** The keys of known_hosts lines with this marker whose patterns match the host. */
    private static List<PublicKey> keys(
            List<KnownHostEntry> entries, String marker, String host, int port, ClientSession session)
            throws IOException, java.security.GeneralSecurityException {
        List<PublicKey> out = new ArrayList<>();
        for (KnownHostEntry e : entries) {
            if (marker.equals(e.getMarker()) && matches(e, host, port)) {
                PublicKey k = e.getKeyEntry().resolvePublicKey(session, PublicKeyEntryResolver.IGNORING);
                if (k != null) {
                    out.add(k);
                }
            }
        }
        return out;
    }

    private List<KnownHostEntry> read() throws IOException {
        if (!Files.exists(knownHosts)) {
            return List.of();
        }
        return entries.get();
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
