package io.github.sshfleet;

import io.github.sshfleet.core.PrivateFiles;
import io.github.sshfleet.ssh.LoopbackPeer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * The SSH peer of an archive training run ({@code --cds-train}, started only by {@link StartupArchive}): a {@link LoopbackPeer}, an in-process
 * MINA server on a loopback port with a throwaway ed25519 host key and password, which answers every exec with exit
 * 0 and runs nothing. The training run logs in to it and runs one exec, so the archive holds what a first connect
 * loads (key exchange, host-key check, password login, the exec channel): a cold first exec then starts about 0.2 s
 * sooner than with an archive of the handshake alone. Its config (strict host-key policy, its own known_hosts) goes
 * in the training run's temporary HOME, which the caller deletes.
 */
final class TrainingPeer {

    static final String MACHINE = "cds-peer";

    private TrainingPeer() {}

    /**
     * Starts the peer and writes {@code home}/.ssh-fleet/{config.yaml,hosts.tsv,known_hosts} pointing at it; refuses
     * (FileAlreadyExistsException, nothing started) when {@code home} already has a .ssh-fleet directory.
     */
    static LoopbackPeer start(Path home) throws IOException {
        // A new directory or nothing, before anything starts: a stray --cds-train in an operator's own HOME never
        // touches their config (createDirectory throws FileAlreadyExistsException).
        Path dir = Files.createDirectory(
                home.resolve(".ssh-fleet"),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        LoopbackPeer peer = LoopbackPeer.start();
        Files.writeString(
                dir.resolve("known_hosts"),
                "[127.0.0.1]:" + peer.port() + " " + PublicKeyEntry.toString(peer.hostKey()) + "\n");
        Path hosts = Files.createFile(dir.resolve("hosts.tsv"), PrivateFiles.ownerOnly()); // it holds a password
        Files.writeString(
                hosts,
                MACHINE + "\t127.0.0.1:" + peer.port() + "\t" + LoopbackPeer.USER + ":" + peer.password() + "\n");
        Files.writeString(
                dir.resolve("config.yaml"),
                "auth_file: " + dir.resolve("hosts.tsv") + "\nknown_hosts: " + dir.resolve("known_hosts")
                        + "\nhost_key_policy: strict\n"); // the audit trail on, as it is by default: its classes are
        // archived too
        return peer;
    }
}
