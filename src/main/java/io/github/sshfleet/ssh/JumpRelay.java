package io.github.sshfleet.ssh;

import io.github.sshfleet.core.Daemons;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport for a session behind a jump host: a loopback listener that takes exactly one connection (ours) and
 * relays it through a direct-tcpip channel of the jump host's pooled session to the real target. The inner SSH session
 * runs end to end through it (the jump host sees only encrypted bytes), and its host key is checked under the
 * target's own name ({@link HostKeyVerifier#TARGET}).
 */
final class JumpRelay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JumpRelay.class);

    private final ServerSocket listener;
    private volatile Socket socket;
    private volatile ChannelDirectTcpip channel;

    private JumpRelay(ServerSocket listener) {
        this.listener = listener;
    }

    static JumpRelay open(ClientSession jump, String host, int port, long openMillis) throws IOException {
        ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        JumpRelay r = new JumpRelay(ss);
        Daemons.start(
                "ssh-fleet-jump-" + host + ":" + port,
                () -> r.serve(jump, new SshdSocketAddress(host, port), openMillis));
        return r;
    }

    int port() {
        return listener.getLocalPort();
    }

    private void serve(ClientSession jump, SshdSocketAddress target, long openMillis) {
        try (ServerSocket ss = listener) {
            ss.setSoTimeout((int) Math.max(1000, openMillis));
            socket = ss.accept(); // exactly one: the inner session's transport
        } catch (IOException e) {
            log.debug("jump relay to {} not used: {}", target, e.toString());
            return;
        }
        Socket s = socket;
        try {
            ChannelDirectTcpip ch =
                    jump.createDirectTcpipChannel(new SshdSocketAddress("127.0.0.1", s.getPort()), target);
            channel = ch;
            ch.open().verify(openMillis);
            Pipes.relay(
                    s,
                    ch.getInvertedOut(),
                    ch.getInvertedIn(),
                    () -> Pipes.closeQuietly(ch.getInvertedIn()),
                    null,
                    null,
                    "ssh-fleet-jump");
        } catch (IOException | RuntimeException e) {
            log.info("jump to {} failed: {}", target, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        Pipes.closeQuietly(listener);
        Socket s = socket;
        if (s != null) {
            Pipes.closeQuietly(s);
        }
        ChannelDirectTcpip ch = channel;
        if (ch != null) {
            ch.close(false);
        }
    }
}
