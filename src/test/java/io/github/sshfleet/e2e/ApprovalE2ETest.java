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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Confirm rules through the shipped JAR and a real MCP client that declares elicitation: the command runs only on an
 * explicit yes; a no, a timeout and a client that cannot ask each refuse it, and nothing ran. The probe command is
 * `rm -r` of a directory the test made, so whether it ran is visible on the host.
 */
@RequiresSshd
class ApprovalE2ETest {

    @TempDir
    Path tmp;

    static String yaml() {
        return "confirm_defaults: true\napproval_timeout: 2s\n";
    }

    Path config() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        return sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts(), yaml());
    }

    static boolean exists(McpSyncClient c, String dir) {
        CallToolResult r =
                call(c, "exec", Map.of("host", "fleet-2", "command", "test -d " + dir + " && echo yes || echo no"));
        return text(r).contains("yes");
    }

    static String makeDir(McpSyncClient c) {
        String dir = "/tmp/ssh-fleet-approval-" + System.nanoTime();
        assertFalse(call(c, "exec", Map.of("host", "fleet-2", "command", "mkdir -p " + dir + "/sub"))
                .isError());
        return dir;
    }

    static McpSchema.ElicitResult answer(boolean approve) {
        return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of("approve", approve));
    }

    @Test
    void aYesRunsItAndTheQuestionSaysWhatWhereAndAsWhom() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        McpSyncClient c = JarServer.asking(config(), Files.createDirectories(tmp.resolve("home")), q -> {
            asked.add(q.message());
            return answer(true);
        });
        try {
            String dir = makeDir(c);
            assertTrue(asked.isEmpty(), "mkdir asks nothing: " + asked);
            CallToolResult r =
                    call(c, "exec", Map.of("host", List.of("fleet-2", "fleet-3"), "command", "rm -rf " + dir));
            assertFalse(r.isError(), text(r));
            assertEquals(1, asked.size(), "one question for the whole fan-out: " + asked);
            String q = asked.get(0);
            assertTrue(
                    q.contains("the built-in confirm rule 'rm -r'")
                            && q.contains("exec on fleet-[2-3] (2 hosts)")
                            && q.contains("as the login user")
                            && q.contains("rm -rf " + dir),
                    q);
            assertFalse(exists(c, dir), "approved, so it ran");
            String audit;
            try (java.util.stream.Stream<Path> files =
                    Files.list(tmp.resolve("home").resolve(".ssh-fleet").resolve("audit"))) {
                audit = Files.readString(files.filter(f -> f.toString().endsWith(".jsonl"))
                        .findFirst()
                        .orElseThrow());
            }
            assertTrue(audit.contains("\"approval\":\"approved\""), audit);
        } finally {
            c.closeGracefully();
        }
    }

    @Test
    void aNoATimeoutAndAClientThatCannotAskEachRefuseAndNothingRuns() throws Exception {
        Path cfg = config();
        McpSyncClient no = JarServer.asking(cfg, Files.createDirectories(tmp.resolve("h1")), q -> answer(false));
        try {
            String dir = makeDir(no);
            CallToolResult r = call(no, "sudo_exec", Map.of("host", "fleet-2", "command", "rm -rf " + dir));
            assertTrue(r.isError(), text(r));
            assertTrue(
                    text(r).contains("the person at the client declined") && text(r).contains("Nothing ran on fleet-2"),
                    text(r));
            assertTrue(exists(no, dir));
            McpSyncClient declining = JarServer.asking(
                    cfg,
                    tmp.resolve("h1"),
                    q -> new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.DECLINE, null));
            try {
                CallToolResult decline = call(declining, "exec", Map.of("host", "fleet-2", "command", "rm -r " + dir));
                assertTrue(decline.isError() && exists(no, dir), text(decline));
            } finally {
                declining.closeGracefully();
            }
        } finally {
            no.closeGracefully();
        }

        McpSyncClient slow = JarServer.asking(cfg, Files.createDirectories(tmp.resolve("h2")), q -> {
            try {
                Thread.sleep(4000); // past approval_timeout (2 s)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return answer(true);
        });
        try {
            String dir = makeDir(slow);
            long t0 = System.nanoTime();
            CallToolResult r = call(slow, "exec", Map.of("host", "fleet-2", "command", "rm -r " + dir));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(r.isError(), text(r));
            assertTrue(text(r).contains("no answer came within approval_timeout (2 s)"), text(r));
            assertTrue(ms < 3500, "refused at the deadline, not at the late answer: " + ms + " ms");
            Thread.sleep(2500); // the late yes arrives: it must not run the command after all
            assertTrue(exists(slow, dir), "a late answer ran it");
        } finally {
            slow.closeGracefully();
        }

        McpSyncClient plain = JarServer.client(cfg, Files.createDirectories(tmp.resolve("h3")));
        try {
            String dir = makeDir(plain);
            CallToolResult r = call(
                    plain,
                    "write_file",
                    Map.of(
                            "host",
                            "fleet-2",
                            "remote_path",
                            "/etc/ssh-fleet-approval-test",
                            "content",
                            "x",
                            "sudo",
                            true));
            assertTrue(r.isError(), text(r));
            assertTrue(
                    text(r).contains("did not declare the MCP elicitation capability")
                            && text(r).contains("confirm_defaults: false"),
                    text(r));
            CallToolResult rm = call(plain, "exec", Map.of("host", "fleet-2", "command", "rm -r " + dir));
            assertTrue(rm.isError() && exists(plain, dir), text(rm));
            assertTrue(text(call(
                            plain,
                            "exec",
                            Map.of(
                                    "host",
                                    "fleet-2",
                                    "command",
                                    "test -e /etc/ssh-fleet-approval-test && echo yes || echo no")))
                    .contains("no"));
        } finally {
            plain.closeGracefully();
        }
    }

    @Test
    void withApprovalGrantAnIdenticalCallIsNotAskedAgainAndAnotherIs() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        Path cfg = sshd.writeConfig(
                tmp.resolve("grant"), sshd.standardHosts(), "confirm_defaults: true\napproval_grant: 1h\n");
        List<String> asked = new CopyOnWriteArrayList<>();
        McpSyncClient c = JarServer.asking(cfg, Files.createDirectories(tmp.resolve("hg")), q -> {
            asked.add(q.message());
            return answer(true);
        });
        try {
            String dir = makeDir(c);
            String probe = "rm -r " + dir + "/nothing-here || true";
            assertFalse(
                    call(c, "exec", Map.of("host", "fleet-2", "command", probe)).isError());
            assertFalse(
                    call(c, "exec", Map.of("host", "fleet-2", "command", probe)).isError());
            assertEquals(1, asked.size(), "the second identical call reused the yes: " + asked);
            assertFalse(
                    call(c, "exec", Map.of("host", "fleet-3", "command", probe)).isError());
            assertEquals(2, asked.size(), "another machine asks again");
        } finally {
            c.closeGracefully();
        }
    }
}
