package io.github.sshfleet.mcp.tools;

import static io.github.sshfleet.testing.Eventually.eventually;
import static io.github.sshfleet.testing.ToolCalls.byHost;
import static io.github.sshfleet.testing.ToolCalls.call;
import static io.github.sshfleet.testing.ToolCalls.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.core.Tokens;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.testing.ControlledSshd;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.github.sshfleet.testing.ToolCalls;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * exec_readonly and list_dir against real OpenSSH: what passes the read-only check runs on every host, what fails it
 * never reaches one; a listing is sorted, bounded and typed. Each has its down-host sibling: a stopped sshd gets its
 * own row or error, and the tool works again when the host is back.
 */
@RequiresSshd
class ReadOnlyToolsAgainstSshdTest {

    @TempDir
    static Path tmp;

    static SshdFleet sshd;
    static ControlledSshd flaky;
    static FleetServices fleet;
    static ToolHandler readonly;
    static ToolHandler listDir;

    @BeforeAll
    static void start() throws Exception {
        sshd = SshdFleet.get();
        flaky = sshd.controlled("ro-" + System.nanoTime(), List.of("127.0.2.41"));
        String hosts = sshd.standardHosts() + "ro-flaky\t" + flaky.ips().get(0) + ":" + flaky.port() + "\t"
                + SshdFleet.NP_USER + ":" + sshd.npPassword + "\n";
        Path cfg = sshd.writeConfig(tmp.resolve("cfg"), hosts, "readonly_commands: [\"getconf -a\"]\n");
        Files.writeString(
                tmp.resolve("cfg").resolve("known_hosts"),
                flaky.knownHostsLines(sshd.hostKeyLine),
                StandardOpenOption.APPEND);
        fleet = Fleets.open(cfg, tmp);
        readonly = ToolCatalog.find(fleet, "exec_readonly");
        listDir = ToolCatalog.find(fleet, "list_dir");
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
        if (flaky != null) {
            flaky.close();
        }
    }

    static String root(String command) {
        return ToolCalls.asRoot(fleet, "fleet-2", command);
    }

    static boolean exists(String path) {
        return ToolCalls.exists(fleet, "fleet-2", path);
    }

    @Test
    void aReadOnlyPipelineRunsOnEveryHostAsTheLoginUser() {
        CallToolResult r = call(readonly, "host", List.of("fleet-1", "fleet-2"), "command", "id -un | tr a-z A-Z");
        assertFalse(r.isError(), text(r));
        Map<String, Map<String, Object>> rows = byHost(r);
        assertEquals(SshdFleet.PW_USER.toUpperCase() + "\n", rows.get("fleet-1").get("stdout"), text(r));
        assertEquals(SshdFleet.NP_USER.toUpperCase() + "\n", rows.get("fleet-2").get("stdout"), text(r));
        // The operator's own entry (readonly_commands) is allowed as configured.
        CallToolResult extra = call(readonly, "host", "fleet-1", "command", "getconf -a | grep -c PAGESIZE");
        assertEquals(0, ((Number) byHost(extra).get("fleet-1").get("exit_code")).intValue(), text(extra));
        FleetException other = assertThrows(
                FleetException.class, () -> call(readonly, "host", "fleet-1", "command", "getconf PAGESIZE"));
        assertTrue(other.getMessage().contains("getconf is allowed only as: getconf -a"), other.getMessage());
    }

    @Test
    void aRefusedCommandNeverReachesAnyHost() {
        String marker = "/tmp/" + "ro-marker-" + Tokens.next();
        for (String command : List.of(
                "touch " + marker,
                "ls > " + marker,
                "ls; touch " + marker,
                "echo $(touch " + marker + ")",
                "find /tmp -maxdepth 0 -exec touch " + marker + " ;",
                "tee " + marker,
                "sudo touch " + marker)) {
            FleetException e = assertThrows(
                    FleetException.class,
                    () -> call(readonly, "host", List.of("fleet-1", "fleet-2"), "command", command),
                    command);
            assertEquals(Kind.POLICY, e.kind(), command + " -> " + e.getMessage());
            assertTrue(e.getMessage().contains("Nothing ran") && e.getMessage().contains("exec"), e.getMessage());
            assertFalse(exists(marker), command + " reached a host");
        }
    }

    @Test
    void aRefusalComesBeforeTheHostIsSelectedOrContacted() {
        // An unknown host and a stopped one would each fail on their own; the policy answer comes first and at once.
        long t0 = System.nanoTime();
        FleetException e = assertThrows(
                FleetException.class,
                () -> call(readonly, "host", List.of("no-such-host"), "command", "rm -rf /tmp/x"));
        assertEquals(Kind.POLICY, e.kind(), e.getMessage());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 1000, "no connection was tried");
    }

    @Test
    void aStoppedHostGetsItsOwnRowAndIsServedAgainWhenItReturns() throws Exception {
        flaky.stop();
        try {
            CallToolResult r = call(readonly, "host", List.of("fleet-1", "ro-flaky"), "command", "uname -s");
            Map<String, Map<String, Object>> rows = byHost(r);
            assertEquals("Linux\n", rows.get("fleet-1").get("stdout"), text(r));
            assertEquals("unreachable", rows.get("ro-flaky").get("error"), text(r));
            FleetException e =
                    assertThrows(FleetException.class, () -> call(listDir, "host", "ro-flaky", "path", "/tmp"));
            assertEquals(Kind.UNREACHABLE, e.kind(), e.getMessage());
        } finally {
            flaky.start();
        }
        CallToolResult back = eventually(
                Duration.ofSeconds(10),
                () -> call(readonly, "host", "ro-flaky", "command", "uname -s"),
                r -> "Linux\n".equals(byHost(r).get("ro-flaky").get("stdout")),
                "ro-flaky is served again after sshd restarts");
        assertNull(byHost(back).get("ro-flaky").get("error"), text(back));
        CallToolResult listed = eventually(
                Duration.ofSeconds(10),
                () -> {
                    try {
                        return call(listDir, "host", "ro-flaky", "path", "/", "long", false);
                    } catch (FleetException e) {
                        return null;
                    }
                },
                r -> r != null && text(r).contains("tmp/"),
                "list_dir works on ro-flaky again");
        assertFalse(listed.isError(), text(listed));
    }

    @Test
    @SuppressWarnings("unchecked")
    void listDirIsSortedTypedAndBounded() {
        String dir = "/tmp/ro-list-" + Tokens.next();
        root("mkdir -p " + dir + "/sub && printf 12345 > " + dir + "/b.txt && touch " + dir + "/a.txt " + dir
                + "/.hidden && ln -s b.txt " + dir + "/link && chmod 0640 " + dir + "/b.txt && chmod o+r " + dir
                + "/b.txt");
        try {
            CallToolResult r = call(listDir, "host", "fleet-2", "path", dir);
            assertFalse(r.isError(), text(r));
            Map<String, Object> s = (Map<String, Object>) r.structuredContent();
            List<Map<String, Object>> entries = (List<Map<String, Object>>) s.get("entries");
            assertEquals(
                    List.of("a.txt", "b.txt", "link", "sub"),
                    entries.stream().map(e -> e.get("name")).toList());
            assertEquals(4, s.get("total"));
            assertEquals(false, s.get("truncated"));
            Map<String, Object> b = entries.get(1);
            assertEquals("file", b.get("type"));
            assertEquals(5L, ((Number) b.get("size")).longValue());
            assertEquals("0644", b.get("mode"));
            assertEquals("root", b.get("owner"), "names, not numbers: " + b);
            assertEquals("symlink", entries.get(2).get("type"));
            assertEquals("b.txt", entries.get(2).get("target"));
            assertEquals("dir", entries.get(3).get("type"));
            assertTrue(text(r).contains("-rw-r--r-- root root 5 "), text(r));
            assertTrue(text(r).contains("link -> b.txt"), text(r));

            CallToolResult all = call(listDir, "host", "fleet-2", "path", dir, "all", true, "long", false);
            assertTrue(text(all).contains(".hidden\n") && text(all).contains("sub/\n"), text(all));
            assertEquals(5, ((Map<String, Object>) all.structuredContent()).get("total"));

            CallToolResult cut = call(listDir, "host", "fleet-2", "path", dir, "max_entries", 2);
            Map<String, Object> c = (Map<String, Object>) cut.structuredContent();
            assertEquals(2, ((List<?>) c.get("entries")).size());
            assertEquals(4, c.get("total"));
            assertEquals(true, c.get("truncated"));
            assertTrue(text(cut).contains("raise max_entries"), text(cut));
        } finally {
            root("rm -rf " + dir);
        }
    }

    @Test
    void listDirNamesWhatIsWrongAndItsHintWorksAsWritten() {
        String dir = "/tmp/ro-missing-" + Tokens.next();
        FleetException missing =
                assertThrows(FleetException.class, () -> call(listDir, "host", "fleet-1", "path", dir));
        assertEquals(Kind.NOT_FOUND, missing.kind(), missing.getMessage());

        String file = "/tmp/ro-file-" + Tokens.next();
        root("touch " + file);
        try {
            FleetException notDir =
                    assertThrows(FleetException.class, () -> call(listDir, "host", "fleet-1", "path", file));
            assertEquals(Kind.BAD_ARGUMENT, notDir.kind(), notDir.getMessage());
            String hint = notDir.getMessage();
            String command = hint.substring(hint.indexOf("command: ") + "command: ".length(), hint.indexOf(" shows"));
            CallToolResult r = call(readonly, "host", "fleet-1", "command", command);
            assertTrue(String.valueOf(byHost(r).get("fleet-1").get("stdout")).contains("regular empty file"), text(r));
        } finally {
            root("rm -f " + file);
        }

        String locked = "/tmp/ro-locked-" + Tokens.next();
        root("mkdir " + locked + " && chmod 0700 " + locked);
        try {
            FleetException denied =
                    assertThrows(FleetException.class, () -> call(listDir, "host", "fleet-1", "path", locked));
            assertEquals(Kind.PERMISSION, denied.kind(), denied.getMessage());
            assertTrue(denied.getMessage().contains("sudo_exec"), denied.getMessage());
        } finally {
            root("rm -rf " + locked);
        }
    }
}
