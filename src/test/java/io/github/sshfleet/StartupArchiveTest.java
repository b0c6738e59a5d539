package io.github.sshfleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a server rewrites the archive it was started with (the full cycle runs in ProcessE2ETest). */
class StartupArchiveTest {

    @TempDir
    Path dir;

    @Test
    void onlyAMissingArchiveOrOneOfOursMadeForSomethingElseIsRewritten() throws Exception {
        Path archive = dir.resolve("a.jsa");
        Path jar = Files.writeString(dir.resolve("x.jar"), "jar");
        String stamp = StartupArchive.stamp(jar);
        assertTrue(StartupArchive.isStale(archive, stamp), "missing");

        Files.writeString(archive, "someone else's archive");
        assertFalse(StartupArchive.isStale(archive, stamp), "no stamp: not ours, never overwritten");

        Files.writeString(dir.resolve("a.jsa.stamp"), stamp);
        assertFalse(StartupArchive.isStale(archive, stamp), "ours and current");

        Files.writeString(jar, "a rebuilt jar");
        assertTrue(StartupArchive.isStale(archive, StartupArchive.stamp(jar)), "ours, for another JAR");
    }

    @Test
    void theArchiveIsTheLastSharedArchiveFileOption() {
        assertEquals(Optional.empty(), StartupArchive.requestedArchive(List.of("-Xmx1g", "-jar", "x.jar")));
        assertEquals(
                Optional.of(Path.of("/b.jsa")),
                StartupArchive.requestedArchive(List.of(
                        "-XX:SharedArchiveFile=/a.jsa",
                        "-Xlog:disable",
                        "-XX:SharedArchiveFile=/b.jsa",
                        "-jar",
                        "x.jar")));
    }
}
