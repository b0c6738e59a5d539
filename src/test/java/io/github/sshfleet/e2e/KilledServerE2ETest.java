package io.github.sshfleet.e2e;

import static io.github.sshfleet.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server is killed (SIGKILL) in the middle of an upload and of a download, then started again: the targets are
 * untouched, and what the interrupted transfers left (a staging file on the host, a .part here) is removed by the
 * next server: the .part at start, the remote file on the host's next connection.
 */
@RequiresSshd
class KilledServerE2ETest {

    @TempDir
    Path tmp;

    Process start(Path config) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(JarServer.command());
        pb.environment().putAll(JarServer.env(config, tmp.resolve("home")));
        pb.redirectError(
                ProcessBuilder.Redirect.appendTo(tmp.resolve("stderr.log").toFile()));
        Process p = pb.start();
        send(p, JarServer.INITIALIZE, JarServer.INITIALIZED, JarServer.TOOLS_LIST);
        return p;
    }

    static void send(Process p, String... lines) throws Exception {
        OutputStream in = p.getOutputStream();
        for (String l : lines) {
            in.write((l + "\n").getBytes(StandardCharsets.UTF_8));
        }
        in.flush();
    }

    static String call(int id, String tool, String args) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + args + "}}";
    }

    static List<Path> matching(Path dir, String glob) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f ->
                            f.getFileSystem().getPathMatcher("glob:" + glob).matches(f.getFileName()))
                    .toList();
        }
    }

    static void kill(Process p) throws Exception {
        p.destroyForcibly();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    }

    static Path bigFile(Path f, long size) throws Exception {
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(size); // sparse: fast to make, still 'size' bytes to send
        }
        return f;
    }

    @Test
    void uploadAndDownloadKilledMidWayLeaveTargetsIntactAndTheirLitterIsCleanedNextTime() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        Path config = sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts(), "");
        // The hosts are this machine: the test looks at their file systems directly.
        Path remoteDir = Files.createDirectories(Path.of("/tmp/ssh-fleet-e2e-killed-" + Tokens.next()));
        new ProcessBuilder("chown", SshdFleet.NP_USER, remoteDir.toString())
                .start()
                .waitFor();
        Path target = remoteDir.resolve("big.bin");
        Files.writeString(target, "old content\n");
        new ProcessBuilder("chown", SshdFleet.NP_USER, target.toString())
                .start()
                .waitFor();
        Path local = bigFile(tmp.resolve("big.bin"), 4L << 30);

        Process p = start(config);
        send(
                p,
                call(
                        3,
                        "upload",
                        "{\"host\":\"fleet-2\",\"local_path\":\"" + local + "\",\"remote_path\":\"" + target + "\"}"));
        List<Path> staging = eventually(
                Duration.ofSeconds(30),
                () -> uncheckedMatching(remoteDir, ".big.bin.ssh-fleet-*"),
                l -> !l.isEmpty(),
                "the upload's staging file on the host");
        kill(p);
        assertEquals("old content\n", Files.readString(target), "the target is untouched");
        assertTrue(Files.exists(staging.get(0)), "the killed upload left its staging file");

        Path downloads = Files.createDirectories(tmp.resolve("downloads"));
        Path remoteBig = bigFile(remoteDir.resolve("source.bin"), 4L << 30);
        new ProcessBuilder("chmod", "644", remoteBig.toString()).start().waitFor();
        p = start(config);
        send(
                p,
                call(
                        4,
                        "download",
                        "{\"host\":\"fleet-2\",\"remote_path\":\"" + remoteBig + "\",\"local_path\":\""
                                + downloads.resolve("copy.bin") + "\"}"));
        eventually(
                Duration.ofSeconds(30),
                () -> uncheckedMatching(downloads, ".copy.bin.ssh-fleet-*.part"),
                l -> !l.isEmpty(),
                "the download's .part here");
        // The restarted server's first use of fleet-2 (this download) also removed the upload's staging file.
        assertFalse(Files.exists(staging.get(0)), "the upload's staging file is removed on the next connection");
        kill(p);
        assertFalse(Files.exists(downloads.resolve("copy.bin")), "no half download under the target name");
        assertEquals(1, matching(downloads, ".copy.bin.ssh-fleet-*.part").size());

        p = start(config);
        try {
            eventually(
                    Duration.ofSeconds(15),
                    () -> uncheckedMatching(downloads, "*"),
                    List::isEmpty,
                    "the killed download's .part removed by the next server");
        } finally {
            kill(p);
            new ProcessBuilder("rm", "-rf", remoteDir.toString()).start().waitFor();
        }
    }

    static List<Path> uncheckedMatching(Path dir, String glob) {
        try {
            return matching(dir, glob);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
