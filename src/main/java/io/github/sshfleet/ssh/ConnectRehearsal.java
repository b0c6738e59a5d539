package io.github.sshfleet.ssh;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One whole connect, rehearsed once while the server is idle after the handshake: TCP, key exchange, an ed25519
 * host key, a password login, an exec channel and its exit, against a {@link LoopbackPeer} in this process.
 * <p>
 * Why: {@link ConnectWarmup} runs the cryptography on throwaway values, but MINA's session, key-exchange and channel
 * code then still runs for the first time, interpreted, inside an agent's first call: measured on a lab host with a
 * PAM login, that call took 198 ms (95 ms of the server's CPU) and 168.5 ms (65 ms) after a rehearsal; the node peer
 * took 172 ms. The rehearsal itself costs ~0.1 s of CPU in the background, which is why it is skipped once any call
 * has asked the pool for a session (the first call would pay for it).
 * <p>
 * What it touches: a client of its own, configured with the pool's client's algorithms, that accepts exactly the
 * peer's throwaway host key (known_hosts is never read or written), logs in with the peer's password only (no keys,
 * no agent) and runs one exec, which runs nothing. The peer listens on 127.0.0.1 for the rehearsal's duration only.
 * {@code -Dsshfleet.connectRehearsal=false} turns it off.
 */
final class ConnectRehearsal {

    private static final Logger log = LoggerFactory.getLogger(ConnectRehearsal.class);
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private ConnectRehearsal() {}

    /** Whether the rehearsal is on ({@code -Dsshfleet.connectRehearsal=false} turns it off). */
    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty("sshfleet.connectRehearsal"));
    }

    /** Rehearses one connect with {@code like}'s algorithms; true if every step ran. Never throws. */
    static boolean run(SshClient like) {
        long t0 = System.nanoTime();
        try (LoopbackPeer peer = LoopbackPeer.start()) {
            SshClient client = SshClient.setUpDefaultClient();
            client.setKeyExchangeFactories(like.getKeyExchangeFactories());
            client.setCipherFactories(like.getCipherFactories());
            client.setMacFactories(like.getMacFactories());
            client.setSignatureFactories(like.getSignatureFactories());
            client.setServerKeyVerifier((session, address, key) -> KeyUtils.compareKeys(peer.hostKey(), key));
            client.setUserAuthFactories(List.of(UserAuthPasswordFactory.INSTANCE));
            client.setAgentFactory(null);
            client.start();
            try (ClientSession session = client.connect(LoopbackPeer.USER, "127.0.0.1", peer.port())
                    .verify(DEADLINE)
                    .getSession()) {
                session.addPasswordIdentity(peer.password());
                session.auth().verify(DEADLINE);
                try (ChannelExec exec = session.createExecChannel("true")) {
                    exec.open().verify(DEADLINE);
                    exec.waitFor(EnumSet.of(ClientChannelEvent.EXIT_STATUS, ClientChannelEvent.CLOSED), DEADLINE);
                }
            } finally {
                client.stop();
            }
            log.debug("connect rehearsal took {} ms", (System.nanoTime() - t0) / 1_000_000);
            return true;
        } catch (java.io.IOException | RuntimeException e) { // only a lost head start: the real connect does the same
            log.debug("connect rehearsal: {}", e.toString());
            return false;
        }
    }
}
