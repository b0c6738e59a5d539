package io.github.sshfleet.e2e;

import static io.github.sshfleet.testing.JarServer.call;
import static io.github.sshfleet.testing.JarServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file tools through the shipped JAR: a 200 MB round trip with progress, errors as isError results. */
@RequiresSshd
class FilesE2ETest {

    @TempDir
    static Path tmp;

    static McpSyncClient client;
    static final List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        Path config = sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts(), "");
        client = JarServer.client(config, tmp.resolve("home"), progress::add);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.closeGracefully();
        }
    }

    @Test
    void twoHundredMegabytesUpAndDownWithEqualSha256AndProgress() throws Exception {
        Path big = tmp.resolve("big.bin");
        long size = 200L * 1000 * 1000;
        String sha = writeRandom(big, size);
        String remote = "/tmp/ssh-fleet-e2e-" + ProcessHandle.current().pid() + ".bin";
        try {
            CallToolResult up = JarServer.callWithProgress(
                    client,
                    "upload",
                    Map.of("host", "fleet-2", "local_path", big.toString(), "remote_path", remote),
                    "up-1");
            assertFalse(up.isError(), text(up));
            assertTrue(text(up).contains(sha), text(up));
            CallToolResult remoteSum =
                    call(client, "exec", Map.of("host", "fleet-2", "command", "sha256sum " + remote));
            assertTrue(text(remoteSum).contains(sha), "the host's own sha256sum agrees: " + text(remoteSum));

            Path back = tmp.resolve("back.bin");
            CallToolResult down = JarServer.callWithProgress(
                    client,
                    "download",
                    Map.of("host", "fleet-2", "remote_path", remote, "local_path", back.toString()),
                    "down-1");
            assertFalse(down.isError(), text(down));
            assertEquals(sha, sha256(back));
            assertEquals(size, Files.size(back));

            List<McpSchema.ProgressNotification> ups = progress.stream()
                    .filter(p -> "up-1".equals(p.progressToken()))
                    .toList();
            assertFalse(ups.isEmpty(), "a 200 MB upload sends progress notifications");
            for (int i = 1; i < ups.size(); i++) {
                assertTrue(ups.get(i).progress() > ups.get(i - 1).progress(), "progress only grows");
            }
            assertEquals((double) size, ups.get(0).total());
            assertTrue(progress.stream().anyMatch(p -> "down-1".equals(p.progressToken())));
        } finally {
            call(client, "exec", Map.of("host", "fleet-2", "command", "rm -f " + remote));
        }
    }

    @Test
    void expectedFailuresAreIsErrorResultsThatSayWhatToDo() {
        CallToolResult missing = call(client, "read_file", Map.of("host", "fleet-1", "remote_path", "/nope/x"));
        assertTrue(missing.isError());
        assertTrue(text(missing).contains("no such file"), text(missing));
        CallToolResult denied = call(client, "read_file", Map.of("host", "fleet-1", "remote_path", "/etc/shadow"));
        assertTrue(denied.isError());
        assertTrue(text(denied).contains("sudo: true"), text(denied));
        CallToolResult asRoot =
                call(client, "read_file", Map.of("host", "fleet-1", "remote_path", "/etc/shadow", "sudo", true));
        assertFalse(asRoot.isError(), text(asRoot));
        assertTrue(text(asRoot).startsWith("root:"), "shadow read as root");
        CallToolResult badMode = call(
                client,
                "write_file",
                Map.of("host", "fleet-1", "remote_path", "/tmp/x", "content", "x", "mode", "rw-r--r--"));
        assertTrue(badMode.isError());
        assertTrue(text(badMode).contains("octal"), text(badMode));
        CallToolResult noLocal = call(
                client, "upload", Map.of("host", "fleet-1", "local_path", "/no/such/file", "remote_path", "/tmp/x"));
        assertTrue(noLocal.isError());
        assertTrue(text(noLocal).contains("does not exist"), text(noLocal));
    }

    @Test
    void writeThenReadAndRunScriptThroughTheJar() {
        String path = "/tmp/ssh-fleet-e2e-" + ProcessHandle.current().pid() + ".conf";
        try {
            CallToolResult w = call(
                    client,
                    "write_file",
                    Map.of("host", "fleet-1", "remote_path", path, "content", "a = 'quoted' $x `y`\n"));
            assertFalse(w.isError(), text(w));
            assertEquals(
                    "a = 'quoted' $x `y`\n",
                    text(call(client, "read_file", Map.of("host", "fleet-1", "remote_path", path))));
            CallToolResult s = call(
                    client,
                    "run_script",
                    Map.of(
                            "host",
                            "fleet-1",
                            "script",
                            "cat " + path + "\necho \"$GREETING from $(whoami)\"",
                            "env",
                            Map.of("GREETING", "hello")));
            assertFalse(s.isError(), text(s));
            // env values are secrets: masked even when the script prints them.
            assertTrue(text(s).contains("a = 'quoted' $x `y`\n******** from root"), text(s));
        } finally {
            call(client, "exec", Map.of("host", "fleet-1", "command", "rm -f " + path));
        }
    }

    static String writeRandom(Path p, long size) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        SplittableRandom rnd = new SplittableRandom(7);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(p)) {
            for (long done = 0; done < size; done += buf.length) {
                for (int i = 0; i < buf.length; i++) {
                    buf[i] = (byte) rnd.nextInt(256);
                }
                int n = (int) Math.min(buf.length, size - done);
                out.write(buf, 0, n);
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
