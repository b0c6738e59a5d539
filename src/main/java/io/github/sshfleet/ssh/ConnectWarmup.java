package io.github.sshfleet.ssh;

import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Arrays;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.digest.Digest;
import org.apache.sshd.common.kex.AbstractDH;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.mac.BuiltinMacs;
import org.apache.sshd.common.mac.Mac;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs, once and on throwaway values, the cryptography a first connect needs: the curve25519 exchange, the exchange
 * hash, an ed25519 signature made and checked and its key through the SSH wire format, the first cipher both ways and
 * a MAC. In a fresh JVM the first connect otherwise pays for loading and initialising all of it (BouncyCastle's
 * provider, the JDK's XDH and AES-GCM, MINA's factories) on the path of the agent's first call: about 250 ms here.
 * Done right after the client is built, in the background, it is paid before any host is contacted. Nothing leaves
 * the process and nothing is kept.
 */
final class ConnectWarmup {

    private static final Logger log = LoggerFactory.getLogger(ConnectWarmup.class);

    private ConnectWarmup() {}

    /** Whether every step ran; a step that fails is only a lost head start, since a connect does the same itself. */
    static boolean run(SshClient client) {
        long t0 = System.nanoTime();
        try {
            exchange();
            signature();
            transport(client);
            log.debug("connect warm-up took {} ms", (System.nanoTime() - t0) / 1_000_000);
            return true;
        } catch (Exception e) {
            log.debug("connect warm-up: {}", e.toString());
            return false;
        }
    }

    private static void exchange() throws Exception {
        AbstractDH a = BuiltinDHFactories.curve25519.create();
        AbstractDH b = BuiltinDHFactories.curve25519.create();
        a.setF(b.getE());
        b.setF(a.getE());
        byte[] k = a.getK();
        if (!Arrays.equals(k, b.getK())) {
            throw new IllegalStateException("curve25519 disagrees with itself");
        }
        Digest hash = a.getHash();
        hash.init();
        hash.update(k);
        hash.digest();
    }

    private static void signature() throws Exception {
        KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        ByteArrayBuffer wire = new ByteArrayBuffer();
        wire.putPublicKey(pair.getPublic());
        PublicKey parsed = wire.getPublicKey();
        byte[] data = new byte[64];
        Signature signer = BuiltinSignatures.ed25519.create();
        signer.initSigner(null, pair.getPrivate());
        signer.update(null, data);
        byte[] sig = signer.sign(null);
        Signature verifier = BuiltinSignatures.ed25519.create();
        verifier.initVerifier(null, parsed);
        verifier.update(null, data);
        if (!verifier.verify(null, sig)) {
            throw new IllegalStateException("ed25519 does not verify its own signature");
        }
    }

    private static void transport(SshClient client) throws Exception {
        NamedFactory<Cipher> first = client.getCipherFactories().get(0);
        Cipher encrypt = first.create();
        Cipher decrypt = first.create();
        byte[] key = new byte[encrypt.getKdfSize()];
        byte[] iv = new byte[encrypt.getIVSize()];
        encrypt.init(Cipher.Mode.Encrypt, key, iv);
        decrypt.init(Cipher.Mode.Decrypt, key, iv);
        int tag = encrypt.getAuthenticationTagSize();
        byte[] packet = new byte[4 + 64 + tag]; // length field, payload, tag: the shape of a packet on the wire
        if (tag > 0) {
            encrypt.updateWithAAD(packet, 0, 4, 64);
            decrypt.updateWithAAD(packet, 0, 4, 64); // checks the tag just written
        } else {
            encrypt.update(packet, 0, packet.length);
            decrypt.update(packet, 0, packet.length);
        }
        Mac mac = BuiltinMacs.hmacsha256.create();
        mac.init(new byte[mac.getBlockSize()]);
        mac.update(packet);
        mac.doFinal();
        BuiltinDigests.sha256.create().init();
    }
}
