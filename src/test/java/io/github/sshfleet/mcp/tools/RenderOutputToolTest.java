package io.github.sshfleet.mcp.tools;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.config.ConfigLoader;
import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.fleet.MachineStore;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** render_output with only a command: the defaults the schema promises are drawn, never a parameter's description. */
class RenderOutputToolTest {

    @TempDir
    Path tmp;

    @Test
    void omittedArgumentsTakeTheirDefaultsNotTheirDescriptions() throws Exception {
        Files.writeString(tmp.resolve("hosts.tsv"), "");
        Files.writeString(
                tmp.resolve("config.yaml"), "auth_file: hosts.tsv\nguide_output_dir: " + tmp.resolve("g") + "\n");
        FleetConfig c = ConfigLoader.load(tmp.resolve("config.yaml"), true, tmp).config();
        try (FleetServices fleet = FleetServices.create(c, new MachineStore(c, tmp), tmp)) {
            CallToolResult r = RenderOutputTool.png(fleet)
                    .call(new Args("render_output", Map.of("command", "uptime", "format", "svg")), Progress.NONE);
            assertFalse(Boolean.TRUE.equals(r.isError()), r.toString());
            Path svg;
            try (var files = Files.list(tmp.resolve("g"))) {
                svg = files.filter(p -> p.toString().endsWith(".svg"))
                        .findFirst()
                        .orElseThrow();
            }
            String drawn = Files.readString(svg);
            assertTrue(drawn.contains("user@host"), "the default prompt user and host");
            for (String leaked : new String[] {"Its stdout", "Its stderr", "on the prompt", "also returned"}) {
                assertFalse(drawn.contains(leaked), "drawn: a parameter description (" + leaked + ")");
            }
        }
    }
}
