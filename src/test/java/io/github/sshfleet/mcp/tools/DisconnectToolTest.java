package io.github.sshfleet.mcp.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.ssh.ConnectionPool;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** disconnect names what still uses a session, ends it only with force, and the next call reconnects. */
@RequiresSshd
class DisconnectToolTest {

    @TempDir
    Path tmp;

    @Test
    void refusesWhileAForwardUsesTheSessionThenForceEndsItAndTheNextCallReconnects() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        try (FleetServices fleet = Fleets.open(sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts(), ""), tmp)) {
            Machine m = fleet.machines().one("fleet-2");
            assertEquals(
                    0,
                    fleet.runner()
                            .run(m, "true", Duration.ofSeconds(10), false, 1024)
                            .exitCode());
            String fwd = fleet.forwards()
                    .startLocal(m, "127.0.0.1", 0, "127.0.0.1", 9)
                    .id();
            DisconnectTool tool = new DisconnectTool(fleet);
            FleetException refused = assertThrows(
                    FleetException.class,
                    () -> tool.call(new Args("disconnect", Map.of("host", "fleet-2")), Progress.NONE));
            assertTrue(refused.getMessage().contains("forward " + fwd), refused.getMessage());
            assertTrue(
                    fleet.pool().status(m).map(ConnectionPool.Status::connected).orElse(false), "still connected");

            int before = fleet.pool().connectsOpened();
            var r = tool.call(new Args("disconnect", Map.of("host", "fleet-*", "force", true)), Progress.NONE);
            assertFalse(r.isError());
            assertTrue(fleet.forwards().list().isEmpty(), "the forward was ended");
            assertFalse(
                    fleet.pool().status(m).map(ConnectionPool.Status::connected).orElse(false));
            assertEquals(
                    0,
                    fleet.runner()
                            .run(m, "true", Duration.ofSeconds(10), false, 1024)
                            .exitCode());
            assertEquals(before + 1, fleet.pool().connectsOpened(), "the next call connected afresh");
        }
    }
}
