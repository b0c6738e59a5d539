package io.github.sshfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.sshfleet.config.ConfigLoader;
import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.core.FleetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** user@host:port targets only when allow_adhoc_hosts is on; never stored. */
class AdhocHostsTest {

    @TempDir
    Path dir;

    MachineStore store(boolean allow) throws Exception {
        Path hosts = Files.writeString(dir.resolve("hosts.tsv"), "web-1\t10.0.0.1\tu:p\n");
        Files.setPosixFilePermissions(hosts, PosixFilePermissions.fromString("rw-------"));
        Path cfg = Files.writeString(
                dir.resolve("config.yaml"), "auth_file: " + hosts + "\nallow_adhoc_hosts: " + allow + "\n");
        FleetConfig c = ConfigLoader.load(cfg, true, dir).config();
        MachineStore s = new MachineStore(c, dir, k -> null);
        s.loadHostsFile();
        return s;
    }

    @Test
    void offByDefaultOnWhenAllowed() throws Exception {
        FleetException e = assertThrows(FleetException.class, () -> store(false).one("ops@10.0.0.77:2222"));
        assertEquals(FleetException.Kind.UNKNOWN_HOST, e.kind());
        MachineStore on = store(true);
        Machine m = on.one("ops@10.0.0.77:2222");
        assertEquals("10.0.0.77", m.host());
        assertEquals(2222, m.port());
        assertEquals("ops", m.username());
        assertEquals(Machine.Origin.TEMPORARY, m.origin());
        assertEquals(22, on.one("ops@[fe80::1]").port());
        assertEquals(1, on.machines().size(), "ad-hoc targets are not stored");
        assertEquals("web-1", on.one("web-1").name());
        assertThrows(FleetException.class, () -> on.one("not a target"));
    }
}
