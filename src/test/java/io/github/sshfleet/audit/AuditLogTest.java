package io.github.sshfleet.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.Secrets;
import io.github.sshfleet.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit trail on its own: what a line holds and never holds, the hash chain, days, restarts, failure. */
class AuditLogTest {

    @TempDir
    Path tmp;

    final TestClock clock = new TestClock("2026-12-02T23:59:58Z");
    static final ObjectMapper JSON = new ObjectMapper();

    List<JsonNode> lines(Path dir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (Path f : AuditVerifier.files(dir)) {
            for (String l : Files.readAllLines(f)) {
                out.add(JSON.readTree(l));
            }
        }
        return out;
    }

    static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void eachCallIsAStartAndAnEndLineAndNoSecretOrPayloadIsWritten() throws Exception {
        Secrets.register(List.of("machine-pw-7731"));
        Path dir = tmp.resolve("audit");
        AuditLog log = AuditLog.in(dir, true, clock, "0.1.0");
        long call = log.start(
                "exec",
                "claude-code/2.1",
                args(
                        "host",
                        List.of("web-1", "web-2"),
                        "command",
                        "echo machine-pw-7731 token-abcdef",
                        "env",
                        Map.of("TOKEN", "token-abcdef")));
        Map<String, Object> row1 = new LinkedHashMap<>(Map.of("host", "web-1", "exit_code", 0));
        Map<String, Object> row2 = new LinkedHashMap<>(Map.of("host", "web-2", "error", "policy"));
        log.end(
                call,
                new AuditLog.Ending(12, true, null, null, Map.of("results", List.of(row1, row2)), "approved", 99));
        long write = log.start(
                "write_file", null, args("host", "web-1", "remote_path", "/etc/app.conf", "content", "SECRET=1\n"));
        log.end(write, new AuditLog.Ending(3, true, "permission", "permission denied: /etc/app.conf", null, null, 40));
        log.close();

        String raw = Files.readString(AuditVerifier.files(dir).get(0));
        assertFalse(raw.contains("machine-pw-7731"), raw);
        assertFalse(raw.contains("token-abcdef"), "an env value, even inside the command: " + raw);
        assertFalse(raw.contains("SECRET=1"), raw);
        List<JsonNode> l = lines(dir);
        assertEquals(4, l.size());
        assertEquals("start", l.get(0).get("phase").asText());
        assertEquals("claude-code/2.1", l.get(0).get("client").asText());
        assertEquals("exec", l.get(0).get("tool").asText());
        assertEquals("[\"TOKEN\"]", l.get(0).get("args").get("env_names").toString());
        assertEquals(
                "echo ******** ********", l.get(0).get("args").get("command").asText());
        assertEquals("0.1.0", l.get(0).get("version").asText());
        assertEquals("end", l.get(1).get("phase").asText());
        assertEquals(l.get(0).get("call"), l.get(1).get("call"));
        assertEquals("policy", l.get(1).get("hosts").get(1).get("error").asText());
        assertEquals("approved", l.get(1).get("approval").asText());
        assertEquals(9, l.get(2).get("args").get("content").get("bytes").asInt());
        assertEquals(
                AuditVerifier.sha256("SECRET=1\n"),
                l.get(2).get("args").get("content").get("sha256").asText());
        assertEquals("permission", l.get(3).get("error").asText());
        assertEquals(AuditLog.GENESIS, l.get(0).get("prev").asText());
        assertEquals(
                List.of(1L, 2L, 3L, 4L),
                l.stream().map(n -> n.get("seq").asLong()).toList());

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(AuditVerifier.files(dir).get(0))));
        assertTrue(AuditVerifier.verify(dir).ok(), AuditVerifier.verify(dir).toString());
    }

    /**
     * A call whose secret is of the wrong type is written here before ArgumentCheck refuses it (the SDK used to
     * refuse it first): a password as a list, content as a number, env as a list are digests, never text.
     */
    @Test
    void aSecretOrPayloadOfTheWrongTypeIsStillNeverWritten() throws Exception {
        Path dir = tmp.resolve("audit-types");
        AuditLog log = AuditLog.in(dir, true, clock, "0.1.0");
        log.start(
                "add_host",
                null,
                args(
                        "password",
                        List.of("pw-as-list-5521"),
                        "content",
                        Map.of("k", "content-as-map-8812"),
                        "env",
                        List.of("TOKEN=env-as-list-3391")));
        log.close();
        String raw = Files.readString(AuditVerifier.files(dir).get(0));
        for (String secret : List.of("pw-as-list-5521", "content-as-map-8812", "env-as-list-3391")) {
            assertFalse(raw.contains(secret), raw);
        }
        JsonNode a = lines(dir).get(0).get("args");
        assertTrue(a.get("password").has("sha256") && a.get("env").has("sha256"), a.toString());
    }

    @Test
    void theChainRunsAcrossDaysAndRestartsAndAnyEditBreaksIt() throws Exception {
        Path dir = tmp.resolve("audit");
        AuditLog first = AuditLog.in(dir, true, clock, "v");
        first.end(first.start("exec", null, args("command", "uptime")), AuditLog.Ending.ok(1));
        clock.advance(Duration.ofSeconds(5)); // past midnight UTC: a new file
        first.end(first.start("exec", null, args("command", "df -h")), AuditLog.Ending.ok(1));
        first.close();
        AuditLog second = AuditLog.in(dir, true, clock, "v"); // a restart goes on from the newest file's last line
        second.end(second.start("exec", null, args("command", "id")), AuditLog.Ending.ok(1));
        second.close();

        List<Path> files = AuditVerifier.files(dir);
        assertEquals(2, files.size(), files.toString());
        AuditVerifier.Report ok = AuditVerifier.verify(dir);
        assertTrue(ok.ok(), ok.toString());
        assertEquals(6, ok.lines());
        assertEquals(6L, lines(dir).get(5).get("seq").asLong(), "seq goes on after a restart");

        // Change one character of a command: the next line no longer follows it.
        Path day2 = files.get(1);
        List<String> text = new ArrayList<>(Files.readAllLines(day2));
        text.set(0, text.get(0).replace("df -h", "df -H"));
        Files.write(day2, text);
        AuditVerifier.Report edited = AuditVerifier.verify(dir);
        assertFalse(edited.ok());
        assertTrue(edited.broken().startsWith(day2.getFileName() + " line 2 does not follow"), edited.broken());

        // Remove a line instead: also broken, at the line after the gap.
        text = new ArrayList<>(Files.readAllLines(day2));
        text.set(0, text.get(0).replace("df -H", "df -h"));
        text.remove(1);
        Files.write(day2, text);
        assertTrue(AuditVerifier.verify(dir).broken().contains("line 2 does not follow"));
    }

    @Test
    void aLogThatCannotBeWrittenRefusesTheCallWhenRequiredAndWarnsWhenNot() throws Exception {
        Path blocker = Files.writeString(tmp.resolve("not-a-dir"), "x"); // even root cannot mkdir under a file
        AuditLog required = AuditLog.in(blocker.resolve("audit"), true, clock, "v");
        FleetException e = assertThrows(FleetException.class, () -> required.start("exec", null, args()));
        assertEquals(FleetException.Kind.IO, e.kind());
        assertTrue(
                e.getMessage().contains("nothing ran") && e.getMessage().contains("audit_required: false"),
                e.getMessage());
        AuditLog optional = AuditLog.in(blocker.resolve("audit"), false, clock, "v");
        assertTrue(optional.start("exec", null, args()) > 0, "the call goes on, unaudited");
        assertFalse(AuditLog.off().enabled());
        assertEquals(0, AuditLog.off().start("exec", null, args()));
    }

    @Test
    void twoServersSharingTheDirectoryMakeOneChain() throws Exception {
        Path dir = tmp.resolve("audit");
        AuditLog a = AuditLog.in(dir, true, clock, "v");
        AuditLog b = AuditLog.in(dir, true, clock, "v"); // as a second client's server, or a training run
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            AuditLog log = t % 2 == 0 ? a : b;
            done.add(pool.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    log.end(log.start("exec", null, args("command", "true")), AuditLog.Ending.ok(1));
                }
            }));
        }
        for (java.util.concurrent.Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        AuditVerifier.Report r = AuditVerifier.verify(dir);
        assertTrue(r.ok(), r.toString());
        assertEquals(400, r.lines());
        assertEquals(400L, lines(dir).get(399).get("seq").asLong());
    }

    /**
     * A call's two lines chain from what this log wrote last instead of reading the file's tail back each time
     * (8 KB read and decoded per line, ~100 KB per call in the memory bench), and a line another writer added in
     * between is still chained from.
     */
    @Test
    void aCallCostsItsOwnLinesNotARereadOfTheFileAndAnotherWritersLineIsStillChainedFrom() throws Exception {
        Path dir = tmp.resolve("cheap");
        AuditLog a = AuditLog.in(dir, true, clock, "v");
        for (int i = 0; i < 50; i++) { // a file longer than one read window
            a.end(a.start("exec", null, args("command", "echo " + "x".repeat(200))), AuditLog.Ending.ok(1));
        }
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 20; i++) {
            a.end(a.start("exec", null, args("command", "true")), AuditLog.Ending.ok(1));
        }
        long perCall = (threads.getThreadAllocatedBytes(id) - before) / 20;
        assertTrue(perCall < ALLOCATION_PER_CALL, perCall + " bytes allocated per call");

        AuditLog b = AuditLog.in(dir, true, clock, "v"); // a second server on the same directory
        b.end(b.start("exec", null, args("command", "true")), AuditLog.Ending.ok(1));
        a.end(a.start("exec", null, args("command", "true")), AuditLog.Ending.ok(1));
        AuditVerifier.Report r = AuditVerifier.verify(dir);
        assertTrue(r.ok(), r.toString());
        assertEquals(144, r.lines());
    }

    /** Measured here: 64 KB per call before, 11 KB after (JSON encoding, the stat, the append). */
    static final long ALLOCATION_PER_CALL = 24 * 1024;
}
