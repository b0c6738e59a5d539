package io.github.sshfleet.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.fleet.MachineStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialStoreTest {

    @TempDir
    Path home;

    @Test
    void roundTripWrongPasswordAndFreshNoncePerWrite() throws Exception {
        Path f = CredentialStore.defaultFile(home);
        CredentialStore s = CredentialStore.open(f, "master-1".toCharArray());
        s.set("Web-1", "s3cret:with:colons");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertFalse(Files.readString(f).contains("s3cret"), "encrypted at rest");
        byte[] first = Files.readAllBytes(f);
        assertEquals(
                "s3cret:with:colons",
                CredentialStore.open(f, "master-1".toCharArray()).get("web-1"));

        CredentialStore.LockedException wrong = assertThrows(
                CredentialStore.LockedException.class, () -> CredentialStore.open(f, "master-2".toCharArray()));
        assertTrue(wrong.getMessage().contains("wrong master password"), wrong.getMessage());
        assertArrayEquals(first, Files.readAllBytes(f), "a wrong password changes nothing");

        s.set("web-1", "s3cret:with:colons"); // same content, new salt and nonce
        assertFalse(java.util.Arrays.equals(first, Files.readAllBytes(f)));
        assertTrue(s.delete("web-1"));
        assertNull(CredentialStore.open(f, "master-1".toCharArray()).get("web-1"));
    }

    @Test
    void machinesTakePasswordsFromTheStoreAndFromEnv() throws Exception {
        CredentialStore.open(CredentialStore.defaultFile(home), "m".toCharArray())
                .set("stored", "from-store");
        Path hosts = Files.writeString(
                home.resolve("hosts.tsv"),
                "stored\t10.0.0.1\tops\n" + "fromenv\t10.0.0.2\tops:env:DB_PW\n" + "missing\t10.0.0.3\tops:env:NOPE\n"
                        + "none\t10.0.0.4\tops\n");
        Files.setPosixFilePermissions(hosts, PosixFilePermissions.fromString("rw-------"));
        Path cfg = Files.writeString(home.resolve("config.yaml"), "auth_file: " + hosts + "\n");
        FleetConfig c = ConfigLoader.load(cfg, true, home).config();
        Map<String, String> env = Map.of("SSH_FLEET_MASTER_PASSWORD", "m", "DB_PW", "from-env");
        MachineStore store = new MachineStore(c, home, env::get);
        String problems = store.loadHostsFile().toString();
        assertEquals("from-store", store.one("stored").password());
        assertEquals("from-env", store.one("fromenv").password());
        Machine missing = store.one("missing");
        assertNull(missing.password());
        assertTrue(problems.contains("NOPE") && problems.contains("credentials set none"), problems);

        MachineStore locked = new MachineStore(c, home, Map.of("SSH_FLEET_MASTER_PASSWORD", "wrong")::get);
        assertTrue(locked.loadHostsFile().toString().contains("wrong master password"));
        assertNull(locked.one("stored").password());
    }
}
