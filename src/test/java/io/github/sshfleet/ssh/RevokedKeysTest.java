package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.testing.SshKeygen;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The revocation list reader against OpenSSH's own: ssh-keygen -k writes a KRL (serial lists, ranges and bitmaps, key
 * ids, two CA sections, explicit keys, SHA1 and SHA256 fingerprints, a revoked CA) and ssh-keygen -Q says which of 60
 * certificates and keys it revokes; RevokedKeys must say the same of every one. A KRL that does not parse, or that has
 * a critical extension, is refused whole; a text key list revokes what it lists.
 */
class RevokedKeysTest {

    @TempDir
    static Path dir;

    /** Every key and certificate file the KRL is asked about. */
    static final List<Path> subjects = new ArrayList<>();

    static Path krl;

    @BeforeAll
    static void keysCertificatesAndAKrl() throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/ssh-keygen")),
                "SKIPPED (needs OpenSSH's ssh-keygen to write and query KRLs): /usr/bin/ssh-keygen missing");
        for (String ca : List.of("ca", "ca2", "ca3", "revoked-ca")) {
            SshKeygen.key(dir, ca);
        }
        SshKeygen.key(dir, "host");
        SshKeygen.run(
                "-q",
                "-t",
                "rsa",
                "-b",
                "2048",
                "-N",
                "",
                "-f",
                dir.resolve("rsa").toString());
        SshKeygen.run("-q", "-t", "ecdsa", "-N", "", "-f", dir.resolve("ecdsa").toString());
        for (String k : List.of("by-sha256", "by-hash", "clean")) {
            SshKeygen.key(dir, k);
        }
        for (long serial : new long[] {1, 4, 5, 6, 9, 10, 15, 20, 21, 99, 100, 101, 102, 103, 150, 151, 199, 200}) {
            certificate("ca", "host", "id-" + serial, serial);
        }
        certificate("ca", "host", "revoked-id", 0);
        certificate("ca", "host", "kept-id", 0);
        for (long serial : new long[] {1, 50, 100, 101, 5}) {
            certificate("ca2", "host", "ca2-" + serial, serial);
        }
        certificate("ca3", "host", "ca3-5", 5);
        certificate("ca3", "host", "revoked-id", 0); // a key id is revoked for one CA only
        certificate("revoked-ca", "host", "any", 42);
        certificate("ca3", "rsa", "rsa-cert", 77); // its key is revoked, so the certificate is too
        for (String k : List.of("host", "rsa", "ecdsa", "by-sha256", "by-hash", "clean", "ca", "revoked-ca")) {
            subjects.add(dir.resolve(k + ".pub"));
        }
        krl = dir.resolve("revoked.krl");
        StringBuilder spec = new StringBuilder("serial: 5\nserial: 10-20\nid: revoked-id\n");
        for (int s = 101; s <= 199; s += 2) {
            spec.append("serial: ").append(s).append('\n'); // ssh-keygen writes these as a bitmap
        }
        Files.writeString(dir.resolve("ca.spec"), spec);
        SshKeygen.run(
                "-k",
                "-f",
                krl.toString(),
                "-s",
                dir.resolve("ca.pub").toString(),
                dir.resolve("ca.spec").toString());
        Files.writeString(dir.resolve("ca2.spec"), "serial: 1-100\n");
        SshKeygen.run(
                "-k",
                "-u",
                "-f",
                krl.toString(),
                "-s",
                dir.resolve("ca2.pub").toString(),
                dir.resolve("ca2.spec").toString());
        Files.writeString(
                dir.resolve("keys.spec"),
                "key: " + pub("rsa") + "\nsha1: " + pub("ecdsa") + "\nsha256: " + pub("by-sha256") + "\nhash: "
                        + fingerprint("by-hash") + "\nkey: " + pub("revoked-ca") + "\n");
        SshKeygen.run("-k", "-u", "-f", krl.toString(), dir.resolve("keys.spec").toString());
    }

    static void certificate(String ca, String key, String id, long serial) throws Exception {
        String name = ca + "-" + key + "-" + id;
        Files.copy(dir.resolve(key + ".pub"), dir.resolve(name + ".pub"));
        SshKeygen.run(
                "-q",
                "-s",
                dir.resolve(ca).toString(),
                "-I",
                id,
                "-h",
                "-z",
                Long.toString(serial),
                dir.resolve(name + ".pub").toString());
        subjects.add(dir.resolve(name + "-cert.pub"));
    }

    static String pub(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".pub")).trim();
    }

    static String fingerprint(String name) throws Exception {
        Process p = new ProcessBuilder(
                        "ssh-keygen",
                        "-l",
                        "-E",
                        "sha256",
                        "-f",
                        dir.resolve(name + ".pub").toString())
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out.split(" ")[1];
    }

    static PublicKey key(Path file) throws Exception {
        return PublicKeyEntry.parsePublicKeyEntry(Files.readString(file).trim())
                .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.IGNORING);
    }

    /** ssh-keygen -Q's verdict on each subject: true when it is revoked. */
    static Map<Path, Boolean> sshKeygenSays() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-Q", "-f", krl.toString()));
        subjects.forEach(s -> cmd.add(s.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        Map<Path, Boolean> verdicts = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String file = line.substring(0, line.indexOf(' '));
            verdicts.put(Path.of(file), line.endsWith(": REVOKED"));
        }
        assertEquals(subjects.size(), verdicts.size(), out);
        return verdicts;
    }

    @Test
    void agreesWithSshKeygenOnEveryCertificateAndKey() throws Exception {
        RevokedKeys revoked = RevokedKeys.read(krl);
        int yes = 0;
        for (Map.Entry<Path, Boolean> e : sshKeygenSays().entrySet()) {
            String reason = revoked.reason(key(e.getKey()));
            assertEquals(e.getValue(), reason != null, e.getKey().getFileName() + ": " + reason);
            yes += e.getValue() ? 1 : 0;
        }
        int no = subjects.size() - yes;
        assertTrue(yes >= 20 && no >= 10, "a KRL that revokes some: " + yes + " revoked, " + no + " not");
        assertTrue(revoked.summary().contains("2 CA sections"), revoked.summary());
    }

    @Test
    void theReasonSaysWhatRevokedIt() throws Exception {
        RevokedKeys revoked = RevokedKeys.read(krl);
        assertTrue(revoked.reason(key(dir.resolve("ca-host-id-151-cert.pub")))
                .startsWith("its serial 151 is revoked in " + krl));
        assertTrue(revoked.reason(key(dir.resolve("ca-host-revoked-id-cert.pub")))
                .startsWith("its key id 'revoked-id' is revoked"));
        assertTrue(revoked.reason(key(dir.resolve("revoked-ca-host-any-cert.pub")))
                .startsWith("the CA that signed it (ssh-ed25519 SHA256:"));
        assertEquals(
                "its key is revoked (by SHA1 fingerprint) in " + krl, revoked.reason(key(dir.resolve("ecdsa.pub"))));
        assertEquals(
                "its key is revoked (by SHA256 fingerprint) in " + krl,
                revoked.reason(key(dir.resolve("by-hash.pub"))));
        assertNull(revoked.reason(key(dir.resolve("clean.pub"))));
    }

    @Test
    void aKrlThatDoesNotParseOrHasACriticalExtensionIsRefusedWhole() throws Exception {
        byte[] good = Files.readAllBytes(krl);
        Path cut = dir.resolve("cut.krl");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length - 7));
        IOException e = assertThrows(IOException.class, () -> RevokedKeys.read(cut));
        assertTrue(e.getMessage().startsWith("not a valid KRL"), e.getMessage());

        Path critical = dir.resolve("critical.krl");
        Files.write(critical, concat(good, extension("must-understand@example.org", true)));
        e = assertThrows(IOException.class, () -> RevokedKeys.read(critical));
        assertTrue(e.getMessage().contains("critical KRL extension 'must-understand@example.org'"), e.getMessage());

        Path optional = dir.resolve("optional.krl");
        Files.write(optional, concat(good, extension("bloom-explicit-key", false)));
        assertNotNull(RevokedKeys.read(optional).reason(key(dir.resolve("rsa.pub"))), "a non-critical one is skipped");
    }

    @Test
    void aTextKeyListRevokesTheKeysItListsAndTheirCertificates() throws Exception {
        Path list = dir.resolve("revoked-keys.txt");
        Files.writeString(
                list,
                "# retired 2026-11\n" + pub("rsa") + "\nnot a key\n\n"
                        + Files.readString(dir.resolve("ca-host-kept-id-cert.pub")));
        RevokedKeys revoked = RevokedKeys.read(list);
        assertEquals("its key is revoked (listed) in " + list, revoked.reason(key(dir.resolve("rsa.pub"))));
        assertNotNull(revoked.reason(key(dir.resolve("ca3-rsa-rsa-cert-cert.pub"))));
        assertNotNull(revoked.reason(key(dir.resolve("host.pub"))), "a certificate line revokes its key");
        assertNull(revoked.reason(key(dir.resolve("clean.pub"))));
        assertEquals(List.of(3), revoked.unreadLines());
    }

    /** A KRL_SECTION_EXTENSION section as PROTOCOL.krl lays it out. */
    static byte[] extension(String name, boolean critical) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream b = new DataOutputStream(body);
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        b.writeInt(n.length);
        b.write(n);
        b.writeBoolean(critical);
        b.writeInt(0);
        ByteArrayOutputStream section = new ByteArrayOutputStream();
        DataOutputStream s = new DataOutputStream(section);
        s.writeByte(255);
        s.writeInt(body.size());
        s.write(body.toByteArray());
        return section.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
