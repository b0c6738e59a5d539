package io.github.sshfleet.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.fleet.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal of temporary files: written before they exist, adopted from a dead server, never from a live one. */
class LitterTest {

    @TempDir
    Path tmp;

    static final Machine WEB = new Machine(
            "web-1", "10.0.0.1", 22, "deploy", null, null, null, Machine.Origin.TEMPORARY, "test", Map.of());

    Path state() {
        return tmp.resolve("state");
    }

    List<Path> journals() throws Exception {
        if (!Files.isDirectory(state())) {
            return List.of();
        }
        try (var s = Files.list(state())) {
            return s.toList();
        }
    }

    @Test
    void anOpenTicketIsInAPrivateJournalUntilClosed() throws Exception {
        Litter litter = new Litter(state(), null, Duration.ofSeconds(5));
        Litter.Ticket t = litter.remote(WEB, "/srv/.app.ssh-fleet-ab12.tmp");
        List<Path> j = journals();
        assertEquals(1, j.size());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(j.get(0))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state())));
        assertTrue(Files.readString(j.get(0)).contains("deploy@10.0.0.1:22\t/srv/.app.ssh-fleet-ab12.tmp"));
        assertTrue(litter.pendingFor(WEB).isEmpty(), "in flight, not left behind");
        t.close();
        assertTrue(journals().isEmpty(), "an empty journal is deleted");
    }

    @Test
    void aDeadServersJournalIsAdoptedLocalLeftoversGoAtOnceRemoteOnesOnTheNextConnection() throws Exception {
        Files.createDirectories(state());
        Path part = Files.writeString(tmp.resolve(".big.iso.ssh-fleet-1f.part"), "half");
        // pid 2^22+1 is above Linux's pid_max default: no such process.
        Files.writeString(
                state().resolve("pending-4194305-1700000000000.tsv"),
                "local\t" + part + "\n" + "deploy@10.0.0.1:22\t/srv/.app.ssh-fleet-ab12.tmp\n"
                        + "other@10.0.0.2:22\t/tmp/ssh-fleet-stage-9\n");
        Litter litter = new Litter(state(), null, Duration.ofSeconds(5));
        litter.adoptLeftovers();
        assertFalse(Files.exists(part), "a killed download's .part is removed at start");
        assertEquals(List.of("/srv/.app.ssh-fleet-ab12.tmp"), litter.pendingFor(WEB));
        List<String> removed = new ArrayList<>();
        List<String> left = litter.sweep(WEB, p -> removed.add(p));
        assertEquals(List.of("/srv/.app.ssh-fleet-ab12.tmp"), removed);
        assertTrue(left.isEmpty());
        assertTrue(litter.pendingFor(WEB).isEmpty());
        assertEquals(1, journals().size(), "the other host's entry is kept for its next connection");
    }

    @Test
    void aLiveServersJournalIsNeverTouchedAndAFailedRemovalIsRetriedLater() throws Exception {
        Litter first = new Litter(state(), null, Duration.ofSeconds(5));
        Litter.Ticket t = first.remote(WEB, "/srv/x.tmp");
        Litter second = new Litter(state().resolve("elsewhere"), null, Duration.ofSeconds(5));
        second.adoptLeftovers();
        Litter same = new Litter(state(), null, Duration.ofSeconds(5)); // this JVM is alive: its journal is its own
        same.adoptLeftovers();
        assertTrue(same.pendingFor(WEB).isEmpty());
        t.leftBehind();
        assertEquals(List.of("/srv/x.tmp"), first.pendingFor(WEB));
        assertEquals(List.of("/srv/x.tmp"), first.sweep(WEB, p -> false), "removal failed: still pending");
        assertEquals(List.of(), first.sweep(WEB, p -> true));
        assertTrue(journals().isEmpty());
    }
}
