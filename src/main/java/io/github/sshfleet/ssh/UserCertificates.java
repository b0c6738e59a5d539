package io.github.sshfleet.ssh;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.fleet.Machine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * User certificates: the one a machine names (cert=, CertificateFile) or, as ssh does, {@code <key>-cert.pub} beside
 * its key. Read and checked before connecting, so an expired certificate is reported with its validity window
 * instead of as a failed login; offered together with the key it certifies.
 */
final class UserCertificates {

    private UserCertificates() {}

    /** The certificate file to use for {@code m}, or null when it has none. */
    static Path path(Machine m) {
        if (m.certFile() != null) {
            return Path.of(m.certFile());
        }
        if (m.keyFile() == null) {
            return null;
        }
        Path beside = Path.of(m.keyFile() + "-cert.pub");
        return Files.isRegularFile(beside) ? beside : null;
    }

    /**
     * {@code m}'s certificate if it has one, checked at {@code now}: a user certificate within its validity window.
     * Null when the machine has none. Throws AUTH_FAILED with the reason otherwise.
     */
    static OpenSshCertificate check(Machine m, Instant now) {
        Path p = path(m);
        if (p == null) {
            return null;
        }
        OpenSshCertificate cert = read(p, m);
        if (cert.getType() != OpenSshCertificate.Type.USER) {
            throw new FleetException(
                    Kind.AUTH_FAILED,
                    "certificate " + p + " for " + m.name() + " is a host certificate, not a user certificate; "
                            + "point cert= in " + m.source() + " at the key's -cert.pub.");
        }
        if (!OpenSshCertificate.isValidAt(cert, now)) {
            throw new FleetException(
                    Kind.AUTH_FAILED,
                    "user certificate " + p + " for " + m.name() + " is valid " + HostCertificates.validity(cert)
                            + ", and now is " + now.toString().replace('T', ' ') + "; not connecting. Renew it "
                            + "(ssh-keygen -s <user CA> -I <id> -n " + m.username() + " " + m.keyFile()
                            + ".pub, or your CA's client), then retry.");
        }
        return cert;
    }

    /** The key pairs to offer: the certificate with the private key it certifies first, then the bare pairs. */
    static java.util.List<KeyPair> offer(OpenSshCertificate cert, Iterable<KeyPair> pairs, Machine m) {
        java.util.List<KeyPair> out = new java.util.ArrayList<>();
        for (KeyPair pair : pairs) {
            if (cert != null && KeyUtils.compareKeys(pair.getPublic(), cert.getCertPubKey())) {
                out.add(0, new KeyPair(cert, pair.getPrivate()));
            }
            out.add(pair);
        }
        if (cert != null && out.stream().noneMatch(k -> k.getPublic() instanceof OpenSshCertificate)) {
            throw new FleetException(
                    Kind.AUTH_FAILED,
                    "certificate " + path(m) + " for " + m.name() + " certifies "
                            + HostCertificates.fingerprint(cert.getCertPubKey()) + ", not the key in " + m.keyFile()
                            + "; fix cert= or key= in " + m.source() + ".");
        }
        return out;
    }

    /** The certificate in {@code p}, or AUTH_FAILED naming the file. */
    static OpenSshCertificate read(Path p, Machine m) {
        try {
            String line = Files.readString(p).strip();
            PublicKey k = PublicKeyEntry.parsePublicKeyEntry(
                            line.lines().findFirst().orElse(""))
                    .resolvePublicKey(null, null, PublicKeyEntryResolver.IGNORING);
            if (k instanceof OpenSshCertificate c) {
                return c;
            }
            throw new IllegalArgumentException("not a certificate");
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new FleetException(
                    Kind.AUTH_FAILED,
                    "cannot read user certificate " + p + " for " + m.name() + " (" + e.getMessage()
                            + "); fix cert= in " + m.source() + " or remove the file.");
        }
    }
}
