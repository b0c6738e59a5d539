package io.github.sshfleet;

import io.github.sshfleet.core.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * The SSH peer of an archive training run ({@code --cds-train}, started only by {@link StartupArchive}): an in-process
 * MINA server on a loopback port with a throwaway ed25519 host key and password, which answers every exec with exit
 * 0 and runs nothing. The training run logs in to it and runs one exec, so the archive holds what a first connect
 * loads (key exchange, host-key check, password login, the exec channel): a cold first exec then starts about 0.2 s
 * sooner than with an archive of the handshake alone. Its config (strict host-key policy, its own known_hosts) goes
 * in the training run's temporary HOME, which the caller deletes.
 */
final class TrainingPeer {

    static final String MACHINE = "cds-peer";

    private static final SecureRandom RANDOM = new SecureRandom();

    private TrainingPeer() {}

    /**
     * Starts the peer and writes {@code home}/.ssh-fleet/{config.yaml,hosts.tsv,known_hosts} pointing at it; refuses
     * (FileAlreadyExistsException, nothing started) when {@code home} already has a .ssh-fleet directory.
     */
    static SshServer start(Path home) throws IOException {
        io.github.sshfleet.ssh.SshClients.installProviders(); // as the server's own client will have them
        // A new directory or nothing, before anything starts: a stray --cds-train in an operator's own HOME never
        // touches their config (createDirectory throws FileAlreadyExistsException).
        Path dir = Files.createDirectory(
                home.resolve(".ssh-fleet"),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        String password = HexFormat.of().formatHex(random());
        byte[] expected = password.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider();
        keys.setAlgorithm(SecurityUtils.EDDSA); // what OpenSSH hosts present first
        keys.setKeySize(256);
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(keys);
        server.setPasswordAuthenticator((user, given, session) -> "cds".equals(user)
                && MessageDigest.isEqual(expected, given.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        // Password only: MINA would also offer keyboard-interactive, which its client tries first, so the archive
        // held that path and not the password login most hosts files use (loaded from the JAR at the first call).
        server.setUserAuthFactories(
                java.util.List.of(org.apache.sshd.server.auth.password.UserAuthPasswordFactory.INSTANCE));
        server.setCommandFactory((channel, command) -> new Exit0());
        server.start();

        String hostKey =
                PublicKeyEntry.toString(keys.loadKeys(null).iterator().next().getPublic());
        Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + server.getPort() + " " + hostKey + "\n");
        Path hosts = Files.createFile(dir.resolve("hosts.tsv"), PrivateFiles.ownerOnly()); // it holds a password
        Files.writeString(hosts, MACHINE + "\t127.0.0.1:" + server.getPort() + "\tcds:" + password + "\n");
        Files.writeString(
                dir.resolve("config.yaml"),
                "auth_file: " + dir.resolve("hosts.tsv") + "\nknown_hosts: " + dir.resolve("known_hosts")
                        + "\nhost_key_policy: strict\n"); // the audit trail on, as it is by default: its classes are
        // archived too
        return server;
    }

    private static byte[] random() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
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
