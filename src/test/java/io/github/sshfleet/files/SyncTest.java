package io.github.sshfleet.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sync against real sshd: changes, deletes and excludes; a second run copies nothing. */
@RequiresSshd
class SyncTest {

    static FleetServices fleet;
    static Sync sync;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        fleet = Fleets.open(sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts(), ""), tmp);
        LocalPaths local = new LocalPaths(tmp, Optional.empty(), tmp);
        Transfers t = new Transfers(
                fleet.pool(), fleet.writer(), fleet.litter(), local, Duration.ofSeconds(10), Duration.ofSeconds(30));
        sync = new Sync(t, fleet.runner());
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static String sh(String command) {
        CommandResult r =
                fleet.runner().run(fleet.machines().one("fleet-2"), command, Duration.ofSeconds(20), false, 1 << 20);
        assertTrue(r.ok(), r.toString());
        return r.stdout().strip();
    }

    @Test
    void uploadSyncCopiesChangesDeletesAndSkipsExcludes() throws Exception {
        Machine m = fleet.machines().one("fleet-2");
        Path src = Files.createDirectories(tmp.resolve("site/sub"));
        Files.writeString(tmp.resolve("site/index.html"), "v1");
        Files.writeString(src.resolve("a.txt"), "alpha");
        Files.writeString(tmp.resolve("site/debug.log"), "noise");
        String remote = "/tmp/ssh-fleet-sync-" + Tokens.next();
        try {
            Sync.Report first = sync.run(
                    m,
                    true,
                    tmp.resolve("site").toString(),
                    remote,
                    false,
                    List.of("*.log"),
                    false,
                    false,
                    TransferProgress.NONE);
            assertEquals(2, first.copied());
            assertEquals(1, first.excluded());
            assertEquals("a.txt index.html", sh("cd " + remote + " && find . -type f -printf '%f\\n' | sort | xargs"));

            Sync.Report again = sync.run(
                    m,
                    true,
                    tmp.resolve("site").toString(),
                    remote,
                    false,
                    List.of("*.log"),
                    false,
                    false,
                    TransferProgress.NONE);
            assertEquals(0, again.copied(), "nothing changed, nothing copied");
            assertEquals(2, again.unchanged());

            Files.writeString(tmp.resolve("site/index.html"), "v2 is longer");
            Files.delete(src.resolve("a.txt"));
            sh("echo stray > " + remote + "/stray.txt");
            Sync.Report dry = sync.run(
                    m,
                    true,
                    tmp.resolve("site").toString(),
                    remote,
                    true,
                    List.of("*.log"),
                    true,
                    false,
                    TransferProgress.NONE);
            assertTrue(
                    dry.dryRun()
                            && dry.changes().contains("update index.html")
                            && dry.changes().contains("delete stray.txt")
                            && dry.changes().contains("delete sub/a.txt"),
                    dry.changes().toString());
            assertEquals("v1", sh("cat " + remote + "/index.html"), "a dry run changes nothing");

            Sync.Report real = sync.run(
                    m,
                    true,
                    tmp.resolve("site").toString(),
                    remote,
                    true,
                    List.of("*.log"),
                    false,
                    false,
                    TransferProgress.NONE);
            assertEquals(1, real.copied());
            assertEquals(2, real.deleted());
            assertEquals("v2 is longer", sh("cat " + remote + "/index.html"));
            assertFalse(sh("ls " + remote).contains("stray"));
        } finally {
            sh("rm -rf " + remote);
        }
    }

    @Test
    void downloadSyncAndChecksumMode() throws Exception {
        Machine m = fleet.machines().one("fleet-2");
        String remote = "/tmp/ssh-fleet-sync-" + Tokens.next();
        sh("mkdir -p " + remote + "/d && echo one > " + remote + "/one.txt && echo two > " + remote + "/d/two.txt");
        Path dest = tmp.resolve("pulled");
        try {
            assertEquals(
                    2,
                    sync.run(m, false, remote, dest.toString(), false, List.of(), false, false, TransferProgress.NONE)
                            .copied());
            assertEquals("two\n", Files.readString(dest.resolve("d/two.txt")));
            // Same content, different mtime: mtime mode copies it again, checksum mode does not.
            Files.setLastModifiedTime(dest.resolve("one.txt"), FileTime.fromMillis(0));
            assertEquals(
                    0,
                    sync.run(m, false, remote, dest.toString(), false, List.of(), true, true, TransferProgress.NONE)
                            .copied());
            assertEquals(
                    1,
                    sync.run(m, false, remote, dest.toString(), false, List.of(), true, false, TransferProgress.NONE)
                            .copied());
        } finally {
            sh("rm -rf " + remote);
        }
    }
}
