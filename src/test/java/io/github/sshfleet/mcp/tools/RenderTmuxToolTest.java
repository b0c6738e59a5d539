package io.github.sshfleet.mcp.tools;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** render_tmux draws a live pane with its colours: a red background in the pane is red in the PNG. */
@RequiresSshd
class RenderTmuxToolTest {

    @TempDir
    Path tmp;

    @Test
    void aColouredPaneKeepsItsColoursInTheScreenshot() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        try (FleetServices fleet = Fleets.open(
                sshd.writeConfig(
                        tmp.resolve("cfg"), sshd.standardHosts(), "guide_output_dir: " + tmp.resolve("guides") + "\n"),
                tmp)) {
            Machine m = fleet.machines().one("fleet-2");
            String s = "sf-r-" + Long.toHexString(System.nanoTime()).substring(6);
            Duration t = Duration.ofSeconds(20);
            fleet.tmux().newSession(m, false, s, "bash --noprofile --norc", "/tmp", t);
            try {
                fleet.tmux().paste(m, false, s, "printf '\\033[41m%40s\\033[0m\\n' ALARM", true, t);
                assertTrue(fleet.tmux()
                        .waitFor(m, false, s, Pattern.compile("ALARM$"), t, Duration.ofMillis(100), 50, 65536)
                        .matched());
                CallToolResult r = new RenderTmuxTool(fleet)
                        .call(
                                new Args("render_tmux", Map.of("host", "fleet-2", "target", s, "sudo", false)),
                                Progress.NONE);
                assertFalse(Boolean.TRUE.equals(r.isError()), r.toString());
                McpSchema.ImageContent img = (McpSchema.ImageContent) r.content().stream()
                        .filter(c -> c instanceof McpSchema.ImageContent)
                        .findFirst()
                        .orElseThrow();
                BufferedImage png = ImageIO.read(
                        new ByteArrayInputStream(Base64.getDecoder().decode(img.data())));
                int red = 0;
                for (int y = 0; y < png.getHeight(); y += 2) {
                    for (int x = 0; x < png.getWidth(); x += 2) {
                        int c = png.getRGB(x, y);
                        int rr = (c >> 16) & 0xff;
                        int gg = (c >> 8) & 0xff;
                        int bb = c & 0xff;
                        if (rr > 200 && gg < 160 && bb < 190 && rr - gg > 60) {
                            red++;
                        }
                    }
                }
                assertTrue(red > 500, "the pane's red background is drawn (" + red + " red samples)");
            } finally {
                fleet.tmux().kill(m, false, s, t);
            }
        }
    }
}
