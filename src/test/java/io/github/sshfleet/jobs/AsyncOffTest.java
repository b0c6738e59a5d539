package io.github.sshfleet.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.ToolHandler;
import io.github.sshfleet.mcp.tools.ToolCatalog;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With the async tools switched off, exec never hands out a background id nobody could follow: it kills at timeout. */
@RequiresSshd
class AsyncOffTest {

    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void execWaitsToItsTimeoutAndSaysSoWhenBackgroundCommandsAreOff() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        try (FleetServices fleet = Fleets.open(
                sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts(), "tools: {async: false}\nasync_after: 1\n"),
                tmp)) {
            ToolHandler exec = ToolCatalog.find(fleet, "exec");
            ToolHandler.Spec spec = exec.spec();
            assertTrue(spec.description().contains("Background commands are off"), spec.description());
            assertFalse(((Map<String, Object>) spec.inputSchema().get("properties")).containsKey("async_after"));
            CallToolResult r = exec.call(
                    new Args("exec", Map.of("host", "fleet-2", "command", "echo begun; sleep 30")), Progress.NONE);
            Map<String, Object> host =
                    ((List<Map<String, Object>>) ((Map<String, Object>) r.structuredContent()).get("results")).get(0);
            assertNull(host.get("command_id"), "no background id: " + host);
            assertEquals(true, host.get("timed_out"), host.toString());
            assertEquals("begun\n", host.get("stdout"));
        }
    }
}
