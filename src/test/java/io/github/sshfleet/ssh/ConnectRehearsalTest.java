package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.config.ConfigLoader;
import io.github.sshfleet.config.FleetConfig;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connect rehearsal: a whole login and exec against the in-process loopback peer, which touches neither
 * known_hosts nor anything else, listens only while it runs, and is skipped once a call has asked for a session.
 */
class ConnectRehearsalTest {

    @TempDir
    Path dir;

    @Test
    void aRehearsalLogsInAndRunsAnExecWithoutTouchingKnownHosts() throws Exception {
        Files.writeString(dir.resolve("hosts.tsv"), "");
        Files.writeString(
                dir.resolve("config.yaml"),
                "auth_file: hosts.tsv\nknown_hosts: " + dir.resolve("known_hosts")
                        + "\nhost_key_policy: accept-new\nssh_agent: off\n");
        FleetConfig config =
                ConfigLoader.load(dir.resolve("config.yaml"), true, dir).config();
        SshClient pools = SshClients.create(config, t -> false); // what the pool's client is, accept-new and all
        try {
            assertTrue(ConnectRehearsal.run(pools));
        } finally {
            pools.stop();
        }
        assertFalse(Files.exists(dir.resolve("known_hosts")), "the throwaway host key was never pinned");
    }

    /** A rehearsal that cannot complete (here: no cipher in common with its peer) is a false, quickly, never a throw. */
    @Test
    void aRehearsalThatFailsSaysSoAndThrowsNothing() {
        SshClient like = SshClient.setUpDefaultClient();
        like.setCipherFactories(List.of(org.apache.sshd.common.cipher.BuiltinCiphers.none));
        long t0 = System.nanoTime();
        assertFalse(ConnectRehearsal.run(like));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "within its deadline");
    }

    @Test
    void thePeerTakesItsPasswordOnlyAndStopsListeningWhenClosed() throws Exception {
        int port;
        SshClient client = SshClient.setUpDefaultClient();
        client.start();
        try (LoopbackPeer peer = LoopbackPeer.start()) {
            port = peer.port();
            client.setServerKeyVerifier((s, a, key) -> key.equals(peer.hostKey()));
            try (ClientSession s = client.connect(LoopbackPeer.USER, "127.0.0.1", port)
                    .verify(5000)
                    .getSession()) {
                s.addPasswordIdentity("not-" + peer.password());
                assertThrows(Exception.class, () -> s.auth().verify(5000), "a wrong password is refused");
            }
            try (ClientSession s = client.connect(LoopbackPeer.USER, "127.0.0.1", port)
                    .verify(5000)
                    .getSession()) {
                s.addPasswordIdentity(peer.password());
                s.auth().verify(5000);
                assertEquals("", s.executeRemoteCommand("rm -rf /nothing-runs-here"), "an exec runs nothing");
            }
            // keyboard-interactive (which MINA's client tries before password) is not offered, even with the password
            client.setUserAuthFactories(
                    List.of(org.apache.sshd.client.auth.keyboard.UserAuthKeyboardInteractiveFactory.INSTANCE));
            try (ClientSession s = client.connect(LoopbackPeer.USER, "127.0.0.1", port)
                    .verify(5000)
                    .getSession()) {
                s.addPasswordIdentity(peer.password());
                assertThrows(Exception.class, () -> s.auth().verify(5000), "password login only");
            }
        } finally {
            client.stop();
        }
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "no listener left");
    }

    @Test
    void theRehearsalRunsAfterTheWarmUpOnlyWhileNoCallHasAskedForASession() throws Exception {
        for (boolean idle : new boolean[] {true, false}) {
            CountDownLatch rehearsed = new CountDownLatch(1);
            SshClient c = SshClient.setUpDefaultClient();
            ClientSetup setup =
                    new ClientSetup(() -> new Connector(c, null, null), () -> idle, x -> rehearsed.countDown());
            setup.start();
            setup.get(io.github.sshfleet.core.Deadline.after(java.time.Duration.ofSeconds(10)));
            // the warm-up and the decision follow the build on its thread: 2 s is ample for them in a warm JVM
            assertEquals(idle, rehearsed.await(idle ? 10 : 2, TimeUnit.SECONDS), "idle " + idle);
        }
    }
}
