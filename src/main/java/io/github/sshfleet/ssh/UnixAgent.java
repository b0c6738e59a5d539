package io.github.sshfleet.ssh;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentFactory;
import org.apache.sshd.agent.SshAgentServer;
import org.apache.sshd.agent.common.AbstractAgentProxy;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * ssh-agent over its Unix domain socket with the JDK's own UnixDomainSocketAddress (Java 16+): no native library
 * (MINA's own unix agent needs Tomcat APR). MINA speaks the agent protocol; this class only carries the bytes, with
 * a deadline on every reply. Keys offered by the agent are tried before passwords, as OpenSSH does. Agent
 * forwarding to hosts is never offered.
 */
final class UnixAgent extends AbstractAgentProxy {

    private static final long REPLY_MILLIS = 10_000;

    private final SocketChannel channel;

    private UnixAgent(SocketChannel channel) {
        super(null);
        this.channel = channel;
    }

    static UnixAgent connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        ch.configureBlocking(false);
        return new UnixAgent(ch);
    }

    /**
     * A certificate the agent holds signs with its key's own algorithm (the agent answers "ssh-ed25519" for an
     * "ssh-ed25519-cert-v01@openssh.com" request, as the protocol has it), and MINA's public-key login then refuses
     * the signature as mismatched. Named after the certificate algorithm it was asked for, it is accepted.
     */
    @Override
    public java.util.Map.Entry<String, byte[]> sign(
            org.apache.sshd.common.session.SessionContext session,
            java.security.PublicKey key,
            String algo,
            byte[] data)
            throws IOException {
        java.util.Map.Entry<String, byte[]> signed = super.sign(session, key, algo, data);
        if (key instanceof org.apache.sshd.common.config.keys.OpenSshCertificate
                && algo != null
                && signed != null
                && org.apache.sshd.common.config.keys.KeyUtils.isCertificateAlgorithm(algo)
                && algo.startsWith(signed.getKey() + "-cert")) {
            return new java.util.AbstractMap.SimpleImmutableEntry<>(algo, signed.getValue());
        }
        return signed;
    }

    /** MINA hands over a prepared message (length prefix included) and wants the reply without its length. */
    @Override
    protected synchronized Buffer request(Buffer buffer) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available());
        long deadline = System.currentTimeMillis() + REPLY_MILLIS;
        try (Selector sel = Selector.open()) {
            channel.register(sel, SelectionKey.OP_WRITE);
            while (out.hasRemaining()) {
                waitFor(sel, deadline);
                channel.write(out);
            }
            channel.keyFor(sel).interestOps(SelectionKey.OP_READ);
            ByteBuffer len = ByteBuffer.allocate(4);
            readFully(sel, len, deadline);
            int n = len.flip().getInt();
            if (n <= 0 || n > 256 * 1024) {
                throw new IOException("ssh-agent sent a reply of " + n + " bytes");
            }
            ByteBuffer body = ByteBuffer.allocate(n);
            readFully(sel, body, deadline);
            return new ByteArrayBuffer(body.array());
        }
    }

    private void readFully(Selector sel, ByteBuffer b, long deadline) throws IOException {
        while (b.hasRemaining()) {
            waitFor(sel, deadline);
            if (channel.read(b) < 0) {
                throw new IOException("ssh-agent closed the connection");
            }
        }
    }

    private static void waitFor(Selector sel, long deadline) throws IOException {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0 || sel.select(left) == 0 && System.currentTimeMillis() >= deadline) {
            throw new IOException("ssh-agent did not answer within " + REPLY_MILLIS / 1000 + " s");
        }
        sel.selectedKeys().clear();
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Creates one agent connection per authentication; none when no socket is configured. */
    static SshAgentFactory factory(Path socket) {
        return new SshAgentFactory() {
            @Override
            public List<ChannelFactory> getChannelForwardingFactories(FactoryManager manager) {
                return List.of();
            }

            @Override
            public SshAgent createClient(Session session, FactoryManager manager) throws IOException {
                try {
                    return connect(socket);
                } catch (IOException e) {
                    // A stale SSH_AUTH_SOCK must not break logins that do not need the agent.
                    org.slf4j.LoggerFactory.getLogger(UnixAgent.class)
                            .warn("ssh-agent at {} unusable: {}", socket, e.toString());
                    return null;
                }
            }

            @Override
            public SshAgentServer createServer(ConnectionService service) {
                return null;
            }
        };
    }
}
