package io.github.sshfleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.ssh.LoopbackPeer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive training peer writes only into a HOME of its own, privately, and points the config at itself. */
class TrainingPeerTest {

    @Test
    void anExistingSshFleetDirectoryIsNeverTouched(@TempDir Path home) throws Exception {
        Path mine = Files.createDirectories(home.resolve(".ssh-fleet")).resolve("config.yaml");
        Files.writeString(mine, "auth_file: /etc/fleet/hosts.tsv\n");
        assertThrows(FileAlreadyExistsException.class, () -> TrainingPeer.start(home));
        assertEquals("auth_file: /etc/fleet/hosts.tsv\n", Files.readString(mine));
        try (var files = Files.list(mine.getParent())) {
            assertEquals(1, files.count(), "nothing added beside it");
        }
    }

    @Test
    void aFreshHomeGetsAPrivateConfigForThePeerOnLoopback(@TempDir Path home) throws Exception {
        LoopbackPeer peer = TrainingPeer.start(home);
        try {
            Path dir = home.resolve(".ssh-fleet");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("hosts.tsv"))));
            String hosts = Files.readString(dir.resolve("hosts.tsv"));
            assertTrue(hosts.startsWith(TrainingPeer.MACHINE + "\t127.0.0.1:" + peer.port() + "\tcds:"), hosts);
            assertTrue(
                    Files.readString(dir.resolve("known_hosts"))
                            .startsWith("[127.0.0.1]:" + peer.port() + " ssh-ed25519 "),
                    "its ed25519 host key, checked under strict policy");
            assertTrue(Files.readString(dir.resolve("config.yaml")).contains("host_key_policy: strict"));
        } finally {
            peer.close();
        }
    }
}
