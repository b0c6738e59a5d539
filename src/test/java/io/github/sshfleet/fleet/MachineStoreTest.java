package io.github.sshfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.config.ConfigLoader;
import io.github.sshfleet.config.HostEntry;
import io.github.sshfleet.core.FleetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineStoreTest {

    @TempDir
    Path dir;

    Path hosts;
    MachineStore store;
    final List<Machine.ConnectionKey> invalidated = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        hosts = dir.resolve("hosts.tsv");
        Files.writeString(hosts, "# fleet\nweb-1\t10.0.0.1\tadmin:pw1\ndb-1\t10.0.0.2:2222\tpg:pw2\n");
        Path cfg = dir.resolve("config.yaml");
        Files.writeString(
                cfg,
                "auth_file: " + hosts + "\nstatus_url: " + dir.resolve("status.json") + "\n" + "owners_url: "
                        + dir.resolve("owners.json") + "\n");
        Files.writeString(
                dir.resolve("status.json"),
                "{\"10.0.0.1\": {\"hostname\": \"web-1\", \"version\": \"2.1\","
                        + " \"os_version\": \"Debian 12\", \"machine_state\": \"active\", \"secret\": \"no\"}}");
        Files.writeString(
                dir.resolve("owners.json"),
                "{\"10.0.0.1\": \"alice\", \"10.0.0.2\": {\"username\": \"bob\","
                        + " \"description\": \"db testing\"}}");
        store = new MachineStore(ConfigLoader.load(cfg, true, dir).config(), dir);
        store.onInvalidated(invalidated::add);
        store.loadHostsFile();
    }

    @Test
    void metadataIsMergedByIp() {
        assertEquals(List.of(), store.refreshMetadata());
        Machine web = store.one("web-1");
        assertEquals("active", web.metadata().get("machine_state"));
        assertEquals("alice", web.metadata().get("owner"));
        assertFalse(web.metadata().containsKey("secret"), "only the documented fields");
        assertEquals("db testing", store.one("db-1").metadata().get("owner_description"));
    }

    @Test
    void unreachableMetadataIsAWarningNotAFailure() throws Exception {
        Files.delete(dir.resolve("status.json"));
        List<String> warnings = store.refreshMetadata();
        assertEquals(1, warnings.size());
        assertEquals(2, store.machines().size());
    }

    @Test
    void addPermanentTemporaryClashAndOverwrite() throws Exception {
        store.add(new HostEntry("new-1", "10.0.0.9", 0, "u", "p", null, null, 0), true, false);
        assertTrue(Files.readString(hosts).contains("new-1\t10.0.0.9\tu:p"));
        assertTrue(Files.readString(hosts).startsWith("# fleet"));
        store.add(new HostEntry("tmp-1", "10.0.0.10", 0, "u", "p", null, null, 0), false, false);
        assertFalse(Files.readString(hosts).contains("tmp-1"));
        assertEquals(Machine.Origin.TEMPORARY, store.one("tmp-1").origin());

        FleetException clash = assertThrows(
                FleetException.class,
                () -> store.add(new HostEntry("other", "10.0.0.1", 22, "admin", "p", null, null, 0), true, false));
        assertEquals(FleetException.Kind.CONFLICT, clash.kind());
        assertTrue(clash.getMessage().contains("web-1") && clash.getMessage().contains("overwrite"));
        // Another account on the same host:port is another machine, not a clash.
        assertTrue(store.add(new HostEntry("web-1-deploy", "10.0.0.1", 22, "deploy", "p", null, null, 0), true, false)
                .replaced()
                .isEmpty());
        // A temporary machine may not shadow a hosts-file line.
        FleetException shadow = assertThrows(
                FleetException.class,
                () -> store.add(new HostEntry("db-1", "10.0.0.7", 0, "u", "p", null, null, 0), false, true));
        assertTrue(shadow.getMessage().contains(hosts + ":3"), shadow.getMessage());

        MachineStore.AddResult r =
                store.add(new HostEntry("web-1", "10.0.0.1", 0, "root", "newpw", null, null, 0), true, true);
        assertEquals(List.of("web-1 (" + hosts + ":2)"), r.replaced(), "says exactly which line it replaced");
        assertEquals("root", store.one("web-1").username());
        assertEquals("deploy", store.one("web-1-deploy").username(), "the other account is untouched");
        assertEquals(1, invalidated.size(), "the replaced machine's session is closed");
        assertEquals(1, Files.readString(hosts).split("web-1\t", -1).length - 1, "replaced, not duplicated");
    }

    @Test
    void reloadReportsAddedRemovedChangedAndKeepsTemporaries() throws Exception {
        store.add(new HostEntry("tmp-1", "10.0.0.10", 0, "u", "p", null, null, 0), false, false);
        Files.writeString(hosts, "web-1\t10.0.0.1\tadmin:CHANGED\ncache-1\t10.0.0.3\tu:p\n");
        MachineStore.ReloadResult r = store.reload();
        assertEquals(List.of("cache-1"), r.added());
        assertEquals(List.of("db-1"), r.removed());
        assertEquals(List.of("web-1"), r.changed());
        assertEquals(2, invalidated.size());
        assertEquals(
                List.of("web-1", "cache-1", "tmp-1"),
                store.machines().stream().map(Machine::name).toList());
    }
}
