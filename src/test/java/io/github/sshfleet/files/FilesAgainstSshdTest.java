package io.github.sshfleet.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.mcp.tools.ToolCatalog;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** read_file, write_file, upload and download against real OpenSSH sshd, real users, real sudo. */
@RequiresSshd
class FilesAgainstSshdTest {

    static SshdFleet sshd;
    static FleetServices fleet;
    static ToolHandler read;
    static ToolHandler write;
    static ToolHandler upload;
    static ToolHandler download;

    @TempDir
    static Path tmp;

    static Path localRoot;

    @BeforeAll
    static void start() throws Exception {
        sshd = SshdFleet.get();
        localRoot = Files.createDirectories(tmp.resolve("local"));
        fleet = Fleets.open(
                sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts(), "local_root: " + localRoot + "\n"), tmp);
        read = ToolCatalog.find(fleet, "read_file");
        write = ToolCatalog.find(fleet, "write_file");
        upload = ToolCatalog.find(fleet, "upload");
        download = ToolCatalog.find(fleet, "download");
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static CallToolResult call(ToolHandler tool, Object... kv) {
        Map<String, Object> args = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            args.put((String) kv[i], kv[i + 1]);
        }
        return tool.call(new Args(tool.spec().name(), args), Progress.NONE);
    }

    static String text(CallToolResult r) {
        return ((TextContent) r.content().get(0)).text();
    }

    static FleetException fails(ToolHandler tool, Object... kv) {
        return assertThrows(FleetException.class, () -> call(tool, kv));
    }

    /** Runs a command as root on fleet-2 (NOPASSWD) for setup and checks. */
    static String root(String command) {
        CommandResult r =
                fleet.runner().run(fleet.machines().one("fleet-2"), command, Duration.ofSeconds(30), true, 1 << 20);
        assertTrue(r.ok(), () -> "setup command failed: " + command + " -> " + r);
        return r.stdout().strip();
    }

    static String unique(String prefix) {
        return prefix + "-" + Tokens.next();
    }

    @Test
    void toolsWithoutSudoGiveAPermissionHintThatWorksAsWritten() throws Exception {
        String dir = unique("/tmp/ssh-fleet-private-");
        root("mkdir -p " + dir + " && echo secret > " + dir + "/app.conf && chmod 700 " + dir);
        try {
            FleetException e = fails(
                    download,
                    "host",
                    "fleet-2",
                    "remote_path",
                    dir + "/app.conf",
                    "local_path",
                    localRoot.resolve("app.conf").toString());
            assertEquals(FleetException.Kind.PERMISSION, e.kind(), e.getMessage());
            assertFalse(e.getMessage().contains("Pass sudo: true"), "download has no sudo: " + e.getMessage());
            assertTrue(e.getMessage().contains("sudo_exec"), e.getMessage());
            FleetException s = assertThrows(
                    FleetException.class,
                    () -> fleet.sync()
                            .run(
                                    fleet.machines().one("fleet-2"),
                                    false,
                                    dir,
                                    localRoot.resolve("synced").toString(),
                                    false,
                                    java.util.List.of(),
                                    false,
                                    false,
                                    (done, total, file) -> {}));
            assertEquals(FleetException.Kind.PERMISSION, s.kind(), s.getMessage());
            assertTrue(s.getMessage().contains("sudo_exec"), s.getMessage());
        } finally {
            root("rm -rf " + dir);
        }
    }

    @Test
    void writesRootOwnedFileWithModeAndOwnerAtomically() {
        String path = "/etc/" + unique("ssh-fleet-test") + ".conf";
        try {
            CallToolResult r = call(
                    write,
                    "host",
                    "fleet-1",
                    "remote_path",
                    path,
                    "content",
                    "KEY=value\n",
                    "sudo",
                    true,
                    "mode",
                    "0640",
                    "owner",
                    "root:root");
            assertFalse(r.isError());
            assertTrue(text(r).contains("new file"), text(r));
            assertEquals("640 root:root 10", root("stat -c '%a %U:%G %s' " + path));
            assertEquals("KEY=value", root("cat " + path));
            // Replacing keeps mode and owner when none are given: a 0640 secret must not widen to 0644.
            call(write, "host", "fleet-1", "remote_path", path, "content", "KEY=other\n", "sudo", true);
            assertEquals("640 root:root 10", root("stat -c '%a %U:%G %s' " + path));
            assertEquals(
                    "",
                    root("ls -a /etc | grep -c ssh-fleet- | grep -v '^1$' || true"),
                    "no staging files next to the target");
            assertEquals("", root("ls /tmp | grep ssh-fleet-stage || true"), "no staging files in /tmp");
        } finally {
            root("rm -f " + path);
        }
    }

    @Test
    void sudoReadsRootOnlyFileAndPlainReadSaysPermissionDenied() {
        String path = "/root/" + unique("secret");
        root("printf 'top secret\\n' > " + path + " && chmod 0600 " + path);
        try {
            FleetException e = fails(read, "host", "fleet-1", "remote_path", path);
            assertEquals(FleetException.Kind.PERMISSION, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("sudo: true"), e.getMessage());
            CallToolResult r = call(read, "host", "fleet-1", "remote_path", path, "sudo", true);
            assertEquals("top secret\n", text(r));
        } finally {
            root("rm -f " + path);
        }
    }

    @Test
    void readPagesThroughALargeTextFileWithoutSplittingCharacters() {
        String path = "/tmp/" + unique("page");
        // 3-byte characters: a page boundary at an arbitrary byte would split one.
        root("python3 -c \"import sys; sys.stdout.write('€' * 1000)\" > " + path);
        try {
            StringBuilder all = new StringBuilder();
            long offset = 0;
            for (int i = 0; i < 10 && offset < 3000; i++) {
                CallToolResult r =
                        call(read, "host", "fleet-3", "remote_path", path, "max_bytes", 1000, "offset", offset);
                String t = text(r);
                Map<?, ?> s = (Map<?, ?>) r.structuredContent();
                if (Boolean.TRUE.equals(s.get("truncated"))) {
                    assertTrue(t.contains("offset=" + s.get("next_offset")), t);
                    t = t.substring(0, t.lastIndexOf("\n[ssh-fleet: truncated"));
                    offset = ((Number) s.get("next_offset")).longValue();
                } else {
                    offset = 3000;
                }
                all.append(t);
            }
            assertEquals("€".repeat(1000), all.toString());
        } finally {
            root("rm -f " + path);
        }
    }

    @Test
    void binaryRoundTripOfAllByteValues() throws Exception {
        byte[] bytes = new byte[256 * 64];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        Path local = localRoot.resolve("all-bytes.bin");
        Files.write(local, bytes);
        String remote = "/tmp/" + unique("bytes") + ".bin";
        try {
            CallToolResult up = call(upload, "host", "fleet-3", "local_path", "all-bytes.bin", "remote_path", remote);
            String sha = Sha.of(bytes);
            assertTrue(text(up).contains(sha), text(up));
            assertEquals(sha, root("sha256sum " + remote).substring(0, 64));

            CallToolResult r = call(read, "host", "fleet-3", "remote_path", remote);
            assertTrue(text(r).contains("binary"), text(r));
            assertTrue(text(r).contains(sha), "read_file reports the sha256 of a binary file: " + text(r));

            CallToolResult down = call(download, "host", "fleet-3", "remote_path", remote, "local_path", "back.bin");
            assertFalse(down.isError());
            assertArrayEquals(bytes, Files.readAllBytes(localRoot.resolve("back.bin")));
            FleetException again = fails(download, "host", "fleet-3", "remote_path", remote, "local_path", "back.bin");
            assertEquals(FleetException.Kind.CONFLICT, again.kind());
            assertTrue(again.getMessage().contains("overwrite: true"), again.getMessage());
            call(download, "host", "fleet-3", "remote_path", remote, "local_path", "back.bin", "overwrite", true);
        } finally {
            root("rm -f " + remote);
        }
    }

    @Test
    void appendAndMakeDirs() {
        String dir = "/tmp/" + unique("mk");
        String path = dir + "/a/b/log.txt";
        try {
            FleetException e = fails(write, "host", "fleet-2", "remote_path", path, "content", "x");
            assertEquals(FleetException.Kind.NOT_FOUND, e.kind());
            assertTrue(e.getMessage().contains("make_dirs"), e.getMessage());
            call(write, "host", "fleet-2", "remote_path", path, "content", "one\n", "make_dirs", true);
            call(write, "host", "fleet-2", "remote_path", path, "content", "two\n", "append", true);
            assertEquals("one\ntwo", root("cat " + path));
            assertEquals("644", root("stat -c %a " + path));
            // An existing 0600 file keeps 0600 when replaced without a mode.
            root("chmod 0600 " + path);
            call(write, "host", "fleet-2", "remote_path", path, "content", "three\n");
            assertEquals(
                    "600 three", root("stat -c %a " + path + "; cat " + path).replace('\n', ' '));
            // sudo append keeps the file (and its inode) and adds to it.
            call(write, "host", "fleet-1", "remote_path", path, "content", "four\n", "append", true, "sudo", true);
            assertEquals("three\nfour", root("cat " + path));
        } finally {
            root("rm -rf " + dir);
        }
    }

    @Test
    void failedSudoWriteLeavesNothingBehind() {
        String path = "/etc/" + unique("nouser") + ".conf";
        FleetException e = fails(
                write,
                "host",
                "fleet-1",
                "remote_path",
                path,
                "content",
                "x",
                "sudo",
                true,
                "owner",
                "no-such-user-xyz");
        assertTrue(e.getMessage().contains("no such user"), e.getMessage());
        assertEquals("", root("ls -a /etc /tmp | grep -e ssh-fleet-stage -e '" + path.substring(5) + "' || true"));
    }

    @Test
    void badInputGetsClearErrors() throws Exception {
        assertEquals(
                FleetException.Kind.NOT_FOUND,
                fails(read, "host", "fleet-2", "remote_path", "/no/such/file").kind());
        assertTrue(fails(read, "host", "fleet-2", "remote_path", "/etc")
                .getMessage()
                .contains("is a directory"));
        assertTrue(fails(write, "host", "fleet-2", "remote_path", "/tmp/x", "content", "x", "mode", "0999")
                .getMessage()
                .contains("octal"));
        assertTrue(fails(write, "host", "fleet-2", "remote_path", "/tmp/x", "content", "x", "owner", "root")
                .getMessage()
                .contains("sudo: true"));
        assertTrue(fails(
                        write,
                        "host",
                        "fleet-2",
                        "remote_path",
                        "/tmp/x",
                        "content",
                        "x".repeat(RemoteWriter.MAX_CONTENT_BYTES + 1))
                .getMessage()
                .contains("upload"));
        assertEquals(
                FleetException.Kind.PERMISSION,
                fails(write, "host", "fleet-2", "remote_path", "/etc/passwd", "content", "x")
                        .kind());
        assertEquals("root", root("stat -c %U /etc/passwd"), "nothing happened to /etc/passwd");
        assertEquals(
                FleetException.Kind.NOT_FOUND,
                fails(upload, "host", "fleet-2", "local_path", "missing.txt", "remote_path", "/tmp/x")
                        .kind());
        FleetException outside =
                fails(upload, "host", "fleet-2", "local_path", "/etc/hostname", "remote_path", "/tmp/x");
        assertTrue(outside.getMessage().contains("outside local_root"), outside.getMessage());
        Files.createSymbolicLink(localRoot.resolve("escape"), Path.of("/etc"));
        assertTrue(fails(upload, "host", "fleet-2", "local_path", "escape/hostname", "remote_path", "/tmp/x")
                .getMessage()
                .contains("outside local_root"));
    }

    @Test
    void directoriesRoundTripAndLandWithModes() throws Exception {
        Path src = Files.createDirectories(localRoot.resolve("tree/sub"));
        Files.writeString(src.resolve("a.txt"), "alpha");
        Path script = Files.writeString(localRoot.resolve("tree/run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        String remote = "/tmp/" + unique("tree");
        try {
            CallToolResult up = call(upload, "host", "fleet-2", "local_path", "tree", "remote_path", remote);
            assertTrue(text(up).contains("2 files"), text(up));
            assertEquals("alpha", root("cat " + remote + "/sub/a.txt"));
            assertEquals("755", root("stat -c %a " + remote + "/run.sh"), "a script stays executable");
            call(download, "host", "fleet-2", "remote_path", remote, "local_path", "copy");
            assertEquals("alpha", Files.readString(localRoot.resolve("copy/sub/a.txt")));
            // As root into a root-owned place, into an existing directory (cp semantics).
            String rootDir = "/opt/" + unique("ssh-fleet");
            root("mkdir -p " + rootDir);
            try {
                call(upload, "host", "fleet-1", "local_path", "tree", "remote_path", rootDir, "sudo", true);
                assertEquals(
                        "root alpha",
                        root("stat -c %U " + rootDir + "/tree/sub/a.txt; cat " + rootDir + "/tree/sub/a.txt")
                                .replace('\n', ' '));
            } finally {
                root("rm -rf " + rootDir);
            }
        } finally {
            root("rm -rf " + remote);
        }
    }

    @Test
    void uploadRefusesToReplaceWhenAskedAndSaysWhenItReplaced() throws Exception {
        Files.writeString(localRoot.resolve("one.txt"), "1");
        String remote = "/tmp/" + unique("one");
        try {
            assertTrue(text(call(upload, "host", "fleet-3", "local_path", "one.txt", "remote_path", remote))
                    .contains("New file"));
            assertTrue(text(call(upload, "host", "fleet-3", "local_path", "one.txt", "remote_path", remote))
                    .contains("Replaced"));
            assertEquals(
                    FleetException.Kind.CONFLICT,
                    fails(upload, "host", "fleet-3", "local_path", "one.txt", "remote_path", remote, "overwrite", false)
                            .kind());
        } finally {
            root("rm -f " + remote);
        }
    }

    @Test
    void fullDiskIsAClearErrorAndLeavesTheOldFileAndNoStagingBehind() throws Exception {
        Path dir = Path.of("/tmp/" + unique("full"));
        Files.createDirectories(dir);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k,mode=1777", "tmpfs", dir.toString())
                .redirectErrorStream(true)
                .start();
        String said = new String(mount.getInputStream().readAllBytes());
        org.junit.jupiter.api.Assumptions.assumeTrue(
                mount.waitFor() == 0, "needs root with mount rights for a small tmpfs: " + said);
        try {
            String target = dir + "/app.conf";
            call(write, "host", "fleet-2", "remote_path", target, "content", "old=1\n");
            String big = "x".repeat(300 * 1024);
            FleetException e = fails(write, "host", "fleet-2", "remote_path", target, "content", big);
            assertTrue(e.getMessage().contains("disk full"), e.getMessage());
            FleetException asRoot =
                    fails(write, "host", "fleet-1", "remote_path", target, "content", big, "sudo", true);
            assertTrue(asRoot.getMessage().contains("disk full"), asRoot.getMessage());
            assertEquals("app.conf", root("ls -A " + dir), "only the original file is there");
            assertEquals("old=1", root("cat " + target));
            assertEquals("", root("ls /tmp | grep ssh-fleet-stage || true"));
        } finally {
            new ProcessBuilder("umount", dir.toString()).start().waitFor();
            Files.deleteIfExists(dir);
        }
    }

    static final class Sha {
        static String of(byte[] b) throws Exception {
            return java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(b));
        }
    }
}
