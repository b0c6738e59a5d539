package io.github.sshfleet.ssh;

import java.security.PublicKey;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.kex.DHGClient;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KeyExchange;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.signature.Signature;

/**
 * OpenSSH host certificates, checked in one place: {@link HostKeyVerifier} calls {@link #problem} for a certificate
 * whose host has an @cert-authority line. MINA checks certificates inside the key exchange instead, against the TCP
 * address (127.0.0.1 for a host behind a jump relay), and on a failure quietly falls back to the bare key, which
 * accept-new would then pin: the key exchanges here leave the certificate whole for the verifier.
 */
final class HostCertificates {

    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private HostCertificates() {}

    /**
     * The same key exchanges, except that the ones MINA builds on {@link DHGClient} (every one ssh-fleet prefers)
     * hand a presented certificate to the verifier unchecked. Group exchange keeps MINA's check; SshClients makes a
     * certificate that fails it end the connection rather than fall back to the bare key.
     */
    static List<KeyExchangeFactory> checkedByVerifier(List<KeyExchangeFactory> factories) {
        List<KeyExchangeFactory> out = new ArrayList<>(factories.size());
        for (KeyExchangeFactory f : factories) {
            BuiltinDHFactories dh = BuiltinDHFactories.fromFactoryName(f.getName());
            out.add(dh == null || dh.isGroupExchange() ? f : new Deferring(dh));
        }
        return out;
    }

    /** A {@link DHGClient} whose certificate check is the verifier's. */
    private static final class Deferring implements KeyExchangeFactory {
        private final BuiltinDHFactories dh;

        Deferring(BuiltinDHFactories dh) {
            this.dh = dh;
        }

        @Override
        public String getName() {
            return dh.getName();
        }

        @Override
        public KeyExchange createKeyExchange(Session session) {
            return new DHGClient(dh, session) {
                @Override
                protected void verifyCertificate(Session s, OpenSshCertificate certificate) {
                    // HostKeyVerifier.verifyServerKey checks it, with the host's own name and the known_hosts CAs.
                }
            };
        }
    }

    /**
     * Why {@code cert} does not prove it is {@code host}'s key at {@code now} (the CA's signature, the certificate
     * type, the validity window, the principals, critical options), or null when it does. Whether its CA is trusted
     * for the host is the caller's question.
     */
    static String problem(OpenSshCertificate cert, String host, Instant now, Session session) {
        if (cert.getType() != OpenSshCertificate.Type.HOST) {
            return "it is a " + cert.getType().name().toLowerCase(java.util.Locale.ROOT)
                    + " certificate, not a host certificate";
        }
        if (!signedByItsCa(cert, session)) {
            return "its CA signature does not verify";
        }
        if (!OpenSshCertificate.isValidAt(cert, now)) {
            return "it is valid " + validity(cert) + ", and now is " + WHEN.format(now);
        }
        if (!cert.getPrincipals().isEmpty() && !cert.getPrincipals().contains(host)) {
            return "it names " + String.join(", ", cert.getPrincipals()) + ", not " + host;
        }
        if (!cert.getCriticalOptions().isEmpty()) {
            return "it carries critical options ("
                    + String.join(", ", cert.getCriticalOptionsMap().keySet())
                    + "), which host certificates do not have";
        }
        return null;
    }

    private static boolean signedByItsCa(OpenSshCertificate cert, Session session) {
        try {
            String algorithm = cert.getSignatureAlgorithm();
            Signature verifier =
                    algorithm == null ? null : NamedFactory.create(session.getSignatureFactories(), algorithm);
            if (verifier == null) {
                return false;
            }
            verifier.initVerifier(session, cert.getCaPubKey());
            verifier.update(session, cert.getMessage());
            return verifier.verify(session, cert.getSignature());
        } catch (Exception e) {
            return false;
        }
    }

    /** "from 2026-01-01 00:00:00 UTC until 2026-02-01 00:00:00 UTC", "forever" and the like. */
    static String validity(OpenSshCertificate cert) {
        long after = cert.getValidAfter();
        long before = cert.getValidBefore();
        String from = after == 0 ? "" : "from " + when(after) + " ";
        String until = before == OpenSshCertificate.INFINITY ? "with no end" : "until " + when(before);
        return (from + until).strip();
    }

    private static String when(long epochSeconds) {
        return epochSeconds < 0 ? "the end of time" : WHEN.format(Instant.ofEpochSecond(epochSeconds));
    }

    /** How the certificate is named in a log line or error: its id, serial and CA fingerprint. */
    static String describe(OpenSshCertificate cert) {
        return "certificate '" + cert.getId() + "' (serial " + Long.toUnsignedString(cert.getSerial()) + ", CA "
                + fingerprint(cert.getCaPubKey()) + ", valid " + validity(cert) + ")";
    }

    static String fingerprint(PublicKey key) {
        return KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
    }
}
