package io.github.sshfleet.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.mcp.tools.ToolCatalog;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Long-running work against real sshd: exec turning into a background command, status, interrupt, history. */
@RequiresSshd
class BackgroundCommandsTest {

    static FleetServices fleet;
    static SshdFleet sshdFleet;
    static ToolHandler exec;
    static ToolHandler async;
    static ToolHandler status;
    static ToolHandler interrupt;
    static ToolHandler running;
    static ToolHandler history;

    @TempDir
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        fleet = Fleets.open(
                sshd.writeConfig(
                        home.resolve("cfg"),
                        sshd.standardHosts() + sshd.line("nosudo", 2, SshdFleet.NOSUDO_USER, ":" + sshd.nosudoPassword)
                                + "\n",
                        ""),
                home);
        sshdFleet = sshd;
        exec = ToolCatalog.find(fleet, "exec");
        async = ToolCatalog.find(fleet, "execute_command_async");
        status = ToolCatalog.find(fleet, "get_command_status");
        interrupt = ToolCatalog.find(fleet, "interrupt_command");
        running = ToolCatalog.find(fleet, "list_running_commands");
        history = ToolCatalog.find(fleet, "list_command_history");
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static CallToolResult call(ToolHandler t, Object... kv) {
        Map<String, Object> a = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            a.put((String) kv[i], kv[i + 1]);
        }
        return t.call(new Args(t.spec().name(), a), Progress.NONE);
    }

    static Map<?, ?> s(CallToolResult r) {
        return (Map<?, ?>) r.structuredContent();
    }

    static String text(CallToolResult r) {
        return ((TextContent) r.content().get(0)).text();
    }

    /** Waits without reading output (a status call would consume it), then asks once. */
    static Map<?, ?> waitFor(String id, String state) throws InterruptedException {
        for (int i = 0; i < 150 && !state.equals(fleet.background().get(id).state()); i++) {
            Thread.sleep(100);
        }
        return s(call(status, "command_id", id));
    }

    @Test
    void execTurnsIntoABackgroundCommandAndFinishes() throws Exception {
        CallToolResult r =
                call(exec, "host", "fleet-2", "command", "echo started; sleep 3; echo done", "async_after", 1);
        assertFalse(r.isError(), text(r));
        Map<?, ?> host = (Map<?, ?>) ((List<?>) s(r).get("results")).get(0);
        String id = (String) host.get("command_id");
        assertTrue(text(r).contains("STILL RUNNING") && text(r).contains(id), text(r));
        assertEquals("started\n", host.get("stdout"));
        assertEquals("running", s(call(status, "command_id", id)).get("state"));
        assertTrue(text(call(running)).contains(id));
        Map<?, ?> end = waitFor(id, "exited");
        assertEquals("exited", end.get("state"));
        assertEquals(0, end.get("exit_code"));
        assertEquals("done\n", end.get("stdout"), "only what is new since the last read");
        assertEquals(
                "started\ndone\n", s(call(status, "command_id", id, "since", 0)).get("stdout"));
        CallToolResult again = call(interrupt, "command_id", id);
        assertTrue(text(again).contains("already ended") && text(again).contains("exit_code 0"), text(again));
    }

    @Test
    void fiftyMegabytesStayBounded() throws Exception {
        String id = (String) s(call(async, "host", "fleet-3", "command", "yes | head -c 50000000"))
                .get("command_id");
        Map<?, ?> end = waitFor(id, "exited");
        assertEquals(0, end.get("exit_code"));
        assertEquals(50_000_000L, ((Number) end.get("stdout_bytes")).longValue());
        assertTrue(((String) end.get("stdout")).length() < 200_000, "the agent sees a bounded head and tail");
        assertTrue(((String) end.get("stdout")).contains("bytes omitted"));
    }

    @Test
    void interruptReallyStopsItOnTheHost() throws Exception {
        String marker = "sleep 309." + (System.nanoTime() % 100000);
        String id = (String) s(call(async, "host", "fleet-1", "command", marker + "; echo never", "sudo", true))
                .get("command_id");
        io.github.sshfleet.testing.Eventually.eventually(
                java.time.Duration.ofSeconds(5),
                () -> {
                    try {
                        return SshdFleet.processes(marker);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                l -> !l.isEmpty(),
                "the command running on the host");
        CallToolResult r = call(interrupt, "command_id", id);
        assertTrue(text(r).matches("(?s).*it ended within [0-9.]+ s of SIG(INT|TERM|KILL).*"), text(r));
        assertEquals("interrupted", s(r).get("state"));
        List<String> left = SshdFleet.processes(marker);
        for (int i = 0; i < 30 && !left.isEmpty(); i++) {
            Thread.sleep(100);
            left = SshdFleet.processes(marker);
        }
        assertEquals(List.of(), left);
    }

    @Test
    void historyIsNewestFirstAndUnknownIdsListTheLiveOnes() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add((String)
                    s(call(async, "host", "fleet-2", "command", "echo " + i)).get("command_id"));
            waitFor(ids.get(i), "exited");
        }
        List<Object> order = ((List<?>) s(call(history, "limit", 100)).get("commands"))
                .stream()
                        .map(row -> ((Map<?, ?>) row).get("command_id"))
                        .filter(ids::contains)
                        .map(x -> (Object) x)
                        .toList();
        assertEquals(List.of(ids.get(2), ids.get(1), ids.get(0)), order, "newest first");
        FleetException e = assertThrows(FleetException.class, () -> call(status, "command_id", "cmd-999999"));
        assertTrue(e.getMessage().contains("Running:"), e.getMessage());
    }

    @Test
    void aConnectionLostUnderABackgroundCommandIsReported() throws Exception {
        String id = (String) s(call(async, "host", "nosudo", "command", "echo before; sleep 60"))
                .get("command_id");
        io.github.sshfleet.testing.Eventually.eventually(
                java.time.Duration.ofSeconds(5),
                () -> text(call(status, "command_id", id, "since", 0)),
                t -> t.contains("before"),
                "its first line");
        sshdFleet.dropSessionsOf(SshdFleet.NOSUDO_USER);
        Map<?, ?> end = waitFor(id, "failed");
        assertEquals("failed", end.get("state"));
        String text = text(call(status, "command_id", id, "since", 0));
        assertTrue(text.contains("connection") && text.contains("dropped"), text);
        assertTrue(text.contains("before"), "what is known so far is kept: " + text);
    }

    @Test
    void twentyBackgroundCommandsDoNotBlockNewCalls() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add((String) s(call(async, "host", "fleet-" + (i % 3 + 1), "command", "sleep 30"))
                    .get("command_id"));
        }
        try {
            long t0 = System.nanoTime();
            CallToolResult quick = call(exec, "host", "all", "command", "echo still-answering");
            assertFalse(quick.isError(), text(quick));
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 20_000, "a new call is not starved");
            assertEquals(20, ((List<?>) s(call(running)).get("commands")).size());
        } finally {
            for (String id : ids) {
                fleet.background().get(id).command().signal("TERM");
            }
        }
    }
}
