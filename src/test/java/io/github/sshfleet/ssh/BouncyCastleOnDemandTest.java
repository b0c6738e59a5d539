package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.Signature;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "BC" provider MINA gets: Edwards curves without building BouncyCastle's full provider, anything else from the
 * full one, and MINA asking BouncyCastle for ed25519 only. MINA's choice is global to a JVM and made once, so that
 * part runs in a fresh JVM ({@link Probe}), as the server does.
 */
class BouncyCastleOnDemandTest {

    @TempDir
    Path dir;

    @Test
    void ed25519KeysAndSignaturesNeedNotTheFullProvider() throws Exception {
        BouncyCastleOnDemand bc = new BouncyCastleOnDemand();
        for (String type : List.of("KeyFactory", "KeyPairGenerator", "Signature")) {
            for (String name : List.of("Ed25519", "EdDSA", "ed25519")) {
                assertNotNull(bc.getService(type, name), type + "." + name);
            }
        }
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519", bc).generateKeyPair();
        byte[] data = "the exchange hash".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("Ed25519", bc);
        signer.initSign(pair.getPrivate());
        signer.update(data);
        byte[] sig = signer.sign();
        assertFalse(bc.fullBuilt(), "nothing but Edwards curves was asked for");

        // The same keys and signatures as the full provider's: it verifies what the lean one signed.
        Signature verifier = Signature.getInstance("Ed25519", new org.bouncycastle.jce.provider.BouncyCastleProvider());
        verifier.initVerify(pair.getPublic());
        verifier.update(data);
        assertTrue(verifier.verify(sig));
    }

    @Test
    void anythingElseComesFromTheFullProviderBuiltOnDemand() {
        BouncyCastleOnDemand bc = new BouncyCastleOnDemand();
        assertNotNull(bc.getService("Cipher", "AES"));
        assertTrue(bc.fullBuilt());
        assertEquals(bc.getName(), "BC");
    }

    @Test
    void minaTakesEd25519FromItAndTheRestFromTheJdk() throws Exception {
        Path encrypted = encryptedPkcs8Key();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Probe.class.getName(),
                        encrypted == null ? "-" : encrypted.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(
                out.contains("SHA-256=SUN") && out.contains("SHA256withRSA=SunRsaSign"),
                "hashes and RSA from the JDK:\n" + out);
        assertTrue(out.contains("AES/GCM/NoPadding=SunJCE") && out.contains("HmacSHA256=SunJCE"), out);
        assertTrue(out.contains("EdDSA=BC") && out.contains("X25519=BC"), "Edwards and Montgomery curves: BC\n" + out);
        assertTrue(
                out.contains("curve25519 and ed25519 round trips, full provider built: false"),
                "ed25519 and X25519 through MINA, from the lean provider:\n" + out);
        if (encrypted != null) {
            assertTrue(
                    out.contains("encrypted PKCS#8 key: RSA, full provider built: true"),
                    "an encrypted PKCS#8 key still loads, through the full provider:\n" + out);
        }
    }

    /** An RSA key in encrypted PKCS#8 PEM (what MINA decrypts with BouncyCastle by name), or null without ssh-keygen. */
    private Path encryptedPkcs8Key() throws Exception {
        Path key = dir.resolve("rsa-pkcs8");
        try {
            Process p = new ProcessBuilder(
                            "ssh-keygen",
                            "-q",
                            "-t",
                            "rsa",
                            "-b",
                            "2048",
                            "-m",
                            "PKCS8",
                            "-N",
                            Probe.PASSPHRASE,
                            "-f",
                            key.toString())
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                Assumptions.assumeTrue(Files.readString(key).contains("ENCRYPTED PRIVATE KEY"), "ssh-keygen's PKCS8");
                return key;
            }
        } catch (java.io.IOException e) {
            // no ssh-keygen: the rest of the probe still runs
        }
        return null;
    }

    /** Run in a fresh JVM: installs the providers as the server does, then says where MINA gets each algorithm. */
    static final class Probe {
        static final String PASSPHRASE = "probe-pass-1";

        public static void main(String[] args) throws Exception {
            SshClients.installProviders();
            StringBuilder out = new StringBuilder();
            out.append("X25519=")
                    .append(SecurityUtils.getKeyAgreement("X25519")
                            .getProvider()
                            .getName())
                    .append('\n');
            out.append("SHA-256=")
                    .append(SecurityUtils.getMessageDigest("SHA-256")
                            .getProvider()
                            .getName());
            out.append("\nSHA256withRSA=")
                    .append(SecurityUtils.getSignature("SHA256withRSA")
                            .getProvider()
                            .getName());
            out.append("\nAES/GCM/NoPadding=")
                    .append(SecurityUtils.getCipher("AES/GCM/NoPadding")
                            .getProvider()
                            .getName());
            out.append("\nHmacSHA256=")
                    .append(SecurityUtils.getMac("HmacSHA256").getProvider().getName());
            out.append("\nEdDSA=")
                    .append(SecurityUtils.getSignature("EdDSA").getProvider().getName())
                    .append('\n');
            org.apache.sshd.common.kex.AbstractDH a = org.apache.sshd.common.kex.BuiltinDHFactories.curve25519.create();
            org.apache.sshd.common.kex.AbstractDH b = org.apache.sshd.common.kex.BuiltinDHFactories.curve25519.create();
            a.setF(b.getE());
            b.setF(a.getE());
            boolean agreed = java.util.Arrays.equals(a.getK(), b.getK());
            KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
            org.apache.sshd.common.signature.Signature signer = BuiltinSignatures.ed25519.create();
            signer.initSigner(null, pair.getPrivate());
            signer.update(null, new byte[32]);
            byte[] sig = signer.sign(null);
            org.apache.sshd.common.signature.Signature verifier = BuiltinSignatures.ed25519.create();
            verifier.initVerifier(null, pair.getPublic());
            verifier.update(null, new byte[32]);
            BouncyCastleOnDemand bc = (BouncyCastleOnDemand) Security.getProvider("BC");
            out.append("curve25519 and ed25519 round trips")
                    .append(agreed && verifier.verify(null, sig) ? "" : " FAILED");
            out.append(", full provider built: ").append(bc.fullBuilt()).append('\n');
            if (!args[0].equals("-")) {
                try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
                    KeyPair rsa = SecurityUtils.loadKeyPairIdentities(
                                    null, () -> args[0], in, FilePasswordProvider.of(PASSPHRASE))
                            .iterator()
                            .next();
                    out.append("encrypted PKCS#8 key: ").append(rsa.getPrivate().getAlgorithm());
                    out.append(", full provider built: ").append(bc.fullBuilt()).append('\n');
                }
            }
            System.out.print(out);
        }
    }
}
