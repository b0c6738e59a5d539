package io.github.sshfleet.ssh;

import io.github.sshfleet.config.ConfigProblem;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * What list_machines and --check-config say about certificates: the user certificate a machine logs in with and
 * when it ends, certificates that have ended or soon will, and known_hosts CA lines that cannot be used.
 */
public final class CertificateReport {

    /** A certificate ending within this is worth a warning: a week is enough to renew one by hand. */
    static final Duration SOON = Duration.ofDays(7);

    private CertificateReport() {}

    /** The machine's user certificate as one phrase ("'deploy' valid until ...", "EXPIRED ..."), or null. */
    public static String userCertificate(Machine m, Instant now) {
        Path p = UserCertificates.path(m);
        if (p == null) {
            return null;
        }
        try {
            OpenSshCertificate c = UserCertificates.read(p, m);
            String state = OpenSshCertificate.isValidAt(c, now) ? "" : "NOT VALID NOW, ";
            return state + "'" + c.getId() + "' valid " + HostCertificates.validity(c);
        } catch (FleetException e) {
            return "unreadable (" + p + ")";
        }
    }

    /** Problems to report for the machine's user certificate at {@code now}: ended, ending soon, unreadable. */
    public static List<ConfigProblem> problems(Machine m, Instant now) {
        List<ConfigProblem> out = new ArrayList<>();
        Path p = UserCertificates.path(m);
        if (p == null) {
            return out;
        }
        try {
            OpenSshCertificate c = UserCertificates.read(p, m);
            if (!OpenSshCertificate.isValidAt(c, now)) {
                out.add(ConfigProblem.error(
                        m.name(),
                        "user certificate " + p + " is valid " + HostCertificates.validity(c)
                                + ": not now, so it will not connect until the certificate is renewed"));
            } else if (!OpenSshCertificate.isValidAt(c, now.plus(SOON))) {
                out.add(ConfigProblem.warning(
                        m.name(),
                        "user certificate " + p + " ends within " + SOON.toDays() + " days (valid "
                                + HostCertificates.validity(c) + ")"));
            }
        } catch (FleetException e) {
            out.add(ConfigProblem.error(m.name(), e.getMessage()));
        }
        return out;
    }

    /** @cert-authority and @revoked lines of known_hosts whose key cannot be read, by line number. */
    public static List<ConfigProblem> unusableAuthorityLines(Path knownHosts) {
        List<ConfigProblem> out = new ArrayList<>();
        if (knownHosts == null || !Files.isReadable(knownHosts)) {
            return out;
        }
        try {
            List<String> lines = Files.readAllLines(knownHosts);
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i).strip();
                if (!l.startsWith("@cert-authority") && !l.startsWith("@revoked")) {
                    continue;
                }
                String where = knownHosts + ":" + (i + 1);
                try {
                    KnownHostEntry e = KnownHostEntry.parseKnownHostEntry(l);
                    if (e == null
                            || e.getKeyEntry() == null
                            || e.getKeyEntry().resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING) == null) {
                        out.add(ConfigProblem.error(
                                where, "the key on this " + l.split("\\s+")[0] + " line cannot be read"));
                    }
                } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
                    out.add(ConfigProblem.error(
                            where,
                            l.split("\\s+")[0] + " line not understood ("
                                    + e.getClass().getSimpleName() + ")"));
                }
            }
        } catch (IOException e) {
            out.add(ConfigProblem.warning(knownHosts.toString(), "not read (" + e.getMessage() + ")"));
        }
        return out;
    }

    /**
     * revoked_host_keys for --check-config: what the file holds ("KRL version 3: ...") and, in {@code problems}, why
     * it cannot be used (then no host key is accepted) or which lines of a key list are not keys.
     */
    public static String revokedHostKeys(Path file, List<ConfigProblem> problems) {
        try {
            RevokedKeys r = RevokedKeys.read(file);
            if (!r.unreadLines().isEmpty()) {
                problems.add(ConfigProblem.warning(
                        file.toString(), "lines " + r.unreadLines() + " are not public keys; ssh skips them too"));
            }
            return file + " (" + r.summary() + ")";
        } catch (IOException e) {
            problems.add(ConfigProblem.error(
                    "revoked_host_keys",
                    file + ": " + e.getMessage() + "; until it can be read, no host key is accepted"));
            return file + " (UNUSABLE: no host key is accepted)";
        }
    }
}
