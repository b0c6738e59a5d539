package io.github.sshfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.core.FleetException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostSelectorTest {

    static Machine m(String name, String ip) {
        return new Machine(name, ip, 22, "u", "p", null, null, Machine.Origin.HOSTS_FILE, "f", Map.of());
    }

    final List<Machine> fleet = List.of(m("web-1", "10.0.0.1"), m("web-2", "10.0.0.2"), m("db-1", "10.0.0.3"));

    static List<String> names(List<Machine> ms) {
        return ms.stream().map(Machine::name).toList();
    }

    @Test
    void namesIpsGlobsListsAndAll() {
        assertEquals(List.of("web-1"), names(HostSelector.select("WEB-1", fleet)));
        assertEquals(List.of("db-1"), names(HostSelector.select("10.0.0.3", fleet)));
        assertEquals(List.of("web-1", "web-2"), names(HostSelector.select("web-*", fleet)));
        assertEquals(List.of("db-1", "web-2"), names(HostSelector.select(List.of("db-1", "web-2", "DB-1"), fleet)));
        assertEquals(List.of("web-2", "db-1"), names(HostSelector.select("web-2, db-1", fleet)));
        assertEquals(3, HostSelector.select("all", fleet).size());
    }

    @Test
    void unknownHostListsKnownNames() {
        FleetException e = assertThrows(FleetException.class, () -> HostSelector.select("web-7", fleet));
        assertEquals(FleetException.Kind.UNKNOWN_HOST, e.kind());
        assertTrue(e.getMessage().contains("web-1, web-2, db-1"), e.getMessage());
    }

    @Test
    void emptyFleetExplainsSetup() {
        FleetException e = assertThrows(FleetException.class, () -> HostSelector.one("x", List.of()));
        assertTrue(e.getMessage().contains("config.yaml") && e.getMessage().contains("add_host"), e.getMessage());
    }

    @Test
    void singleHostToolsRefuseGlobsThatMatchMany() {
        assertThrows(FleetException.class, () -> HostSelector.one("web-*", fleet));
        assertThrows(FleetException.class, () -> HostSelector.select(List.of(), fleet));
        assertThrows(FleetException.class, () -> HostSelector.select(42, fleet));
    }
}
