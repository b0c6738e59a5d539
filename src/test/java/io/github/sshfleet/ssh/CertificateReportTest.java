package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.config.ConfigProblem;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.testing.SshKeygen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What --check-config and list_machines say about user certificates and known_hosts CA lines (no sshd needed). */
class CertificateReportTest {

    @TempDir
    Path dir;

    Machine withKey(String key, String cert) {
        return new Machine(
                "web-1",
                "10.0.0.1",
                22,
                "deploy",
                null,
                dir.resolve(key).toString(),
                null,
                Machine.Origin.HOSTS_FILE,
                "hosts.tsv:1",
                Map.of(),
                null,
                null,
                null,
                cert,
                null);
    }

    void sign(String key, String validity) throws Exception {
        SshKeygen.run(
                "-q",
                "-s",
                dir.resolve("ca").toString(),
                "-I",
                key,
                "-n",
                "deploy",
                "-V",
                validity,
                dir.resolve(key + ".pub").toString());
    }

    @Test
    void endedEndingAndHealthyCertificatesAreToldApart() throws Exception {
        SshKeygen.key(dir, "ca");
        for (String k : List.of("healthy", "ending", "ended", "none")) {
            SshKeygen.key(dir, k);
        }
        sign("healthy", "20200101:20991231");
        sign("ending", "20200101:20270101");
        sign("ended", "20200101:20200102");
        Instant now = Instant.parse("2026-12-28T00:00:00Z");

        assertEquals(List.of(), CertificateReport.problems(withKey("healthy", null), now));
        assertEquals(List.of(), CertificateReport.problems(withKey("none", null), now), "no certificate, no word");
        assertNull(CertificateReport.userCertificate(withKey("none", null), now));
        List<ConfigProblem> ending = CertificateReport.problems(withKey("ending", null), now);
        assertTrue(ending.size() == 1 && !ending.get(0).isError(), ending.toString());
        assertTrue(ending.get(0).message().contains("ends within 7 days"), ending.toString());
        List<ConfigProblem> ended = CertificateReport.problems(withKey("ended", null), now);
        assertTrue(ended.size() == 1 && ended.get(0).isError(), ended.toString());
        assertTrue(ended.get(0).message().contains("valid from 2020-01-01"), ended.toString());

        // cert= names the file; beside the key is only the default.
        Files.move(dir.resolve("healthy-cert.pub"), dir.resolve("moved.cert"));
        assertTrue(CertificateReport.userCertificate(
                        withKey("healthy", dir.resolve("moved.cert").toString()), now)
                .startsWith("'healthy' valid from 2020-01-01"));
        assertTrue(
                CertificateReport.userCertificate(withKey("ended", null), now).startsWith("NOT VALID NOW"));
        Files.writeString(dir.resolve("junk.cert"), "not a certificate\n");
        assertTrue(CertificateReport.problems(
                        withKey("none", dir.resolve("junk.cert").toString()), now)
                .get(0)
                .isError());
    }

    @Test
    void caLinesThatCannotBeUsedAreReportedByLine() throws Exception {
        String ca = SshKeygen.key(dir, "ca");
        Path kh = Files.writeString(
                dir.resolve("known_hosts"),
                "@cert-authority *.example.org " + ca + "\n"
                        + "web-1 " + ca + "\n"
                        + "@cert-authority *.example.org ssh-ed25519 AAAAnotbase64!!\n"
                        + "@revoked * " + ca + "\n");
        List<ConfigProblem> p = CertificateReport.unusableAuthorityLines(kh);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).where().endsWith("known_hosts:3"), p.toString());
    }

    @Test
    void revokedHostKeysIsSummarizedAndABrokenKrlIsAnError() throws Exception {
        SshKeygen.key(dir, "ca");
        Path spec = Files.writeString(dir.resolve("spec"), "serial: 1-9\nid: old\n");
        Path krl = dir.resolve("revoked.krl");
        SshKeygen.run("-k", "-f", krl.toString(), "-s", dir.resolve("ca.pub").toString(), spec.toString());
        List<io.github.sshfleet.config.ConfigProblem> problems = new java.util.ArrayList<>();
        String line = CertificateReport.revokedHostKeys(krl, problems);
        assertEquals(krl + " (KRL version 0: 0 keys, 0 fingerprints, 1 CA sections)", line);
        assertTrue(problems.isEmpty(), problems.toString());
        byte[] bytes = Files.readAllBytes(krl);
        Files.write(krl, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        line = CertificateReport.revokedHostKeys(krl, problems);
        assertTrue(line.endsWith("(UNUSABLE: no host key is accepted)"), line);
        assertTrue(
                problems.get(0).isError() && problems.get(0).message().contains("not a valid KRL"),
                problems.toString());
    }
}
