package io.github.sshfleet.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * An SSH server inside this process, on 127.0.0.1 and a port the kernel picks: a throwaway ed25519 host key (what
 * OpenSSH hosts present first), one user with a random 128-bit password, password login only, and an exec that exits
 * 0 at once and runs nothing. What a first connect does can be done against it without contacting anything: the
 * archive's training run ({@code TrainingPeer}) and the connect rehearsal ({@link ConnectRehearsal}) use it.
 * <p>
 * Password only: MINA would also offer keyboard-interactive, which its client tries first, and the password login
 * most hosts files use would go unexercised.
 */
public final class LoopbackPeer implements AutoCloseable {

    public static final String USER = "cds";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SshServer server;
    private final String password;
    private final PublicKey hostKey;

    private LoopbackPeer(SshServer server, String password, PublicKey hostKey) {
        this.server = server;
        this.password = password;
        this.hostKey = hostKey;
    }

    public static LoopbackPeer start() throws IOException {
        SshClients.installProviders(); // as the server's own client has them
        byte[] secret = new byte[16];
        RANDOM.nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        byte[] expected = password.getBytes(StandardCharsets.UTF_8);
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(); // in memory: no path
        keys.setAlgorithm(SecurityUtils.EDDSA);
        keys.setKeySize(256);
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(keys);
        server.setPasswordAuthenticator((user, given, session) ->
                USER.equals(user) && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8)));
        server.setUserAuthFactories(List.of(UserAuthPasswordFactory.INSTANCE));
        server.setCommandFactory((channel, command) -> new Exit0());
        server.start();
        PublicKey hostKey;
        try {
            hostKey = keys.loadKeys(null).iterator().next().getPublic();
        } catch (RuntimeException e) {
            server.stop(true);
            throw new IOException("the loopback peer's host key: " + e, e);
        }
        return new LoopbackPeer(server, password, hostKey);
    }

    public int port() {
        return server.getPort();
    }

    public String password() {
        return password;
    }

    public PublicKey hostKey() {
        return hostKey;
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            // a loopback listener that would not stop: the process exits with it
        }
    }

    /** Every command: exit 0 at once, no output, nothing run. */
    private static final class Exit0 implements Command {
        private ExitCallback exit;

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void setErrorStream(java.io.OutputStream err) {}

        @Override
        public void setInputStream(java.io.InputStream in) {}

        @Override
        public void setOutputStream(java.io.OutputStream out) {}

        @Override
        public void start(ChannelSession channel, Environment env) {
            exit.onExit(0);
        }

        @Override
        public void destroy(ChannelSession channel) {}
    }
}
