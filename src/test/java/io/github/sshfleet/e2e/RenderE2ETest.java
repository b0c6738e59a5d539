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
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** render_command and render_gif through the shipped JAR against the test fleet (headless, bundled font). */
@RequiresSshd
class RenderE2ETest {

    @TempDir
    static Path tmp;

    static McpSyncClient client;
    static Path guides;

    @BeforeAll
    static void start() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        guides = tmp.resolve("guides");
        client = JarServer.client(
                sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts(), "guide_output_dir: " + guides + "\n"),
                tmp.resolve("home"));
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.closeGracefully();
        }
    }

    @Test
    void renderCommandRunsOnTheHostAndReturnsThePng() throws Exception {
        CallToolResult r = call(
                client,
                "render_command",
                Map.of("host", "fleet-1", "command", "echo hello; ls /nonexistent", "output_name", "hello"));
        assertFalse(r.isError(), text(r));
        assertTrue(
                text(r).startsWith("Rendered: " + guides.resolve("hello.png") + "  [exit_code: 2, 2 lines of output]"),
                text(r));
        McpSchema.ImageContent image = r.content().stream()
                .filter(c -> c instanceof McpSchema.ImageContent)
                .map(c -> (McpSchema.ImageContent) c)
                .findFirst()
                .orElseThrow();
        assertEquals("image/png", image.mimeType());
        BufferedImage png =
                ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(image.data())));
        assertEquals(1200, png.getWidth());
        assertTrue(Files.isRegularFile(guides.resolve("hello.png")));
    }

    @Test
    void renderGifAndBadNames() {
        CallToolResult g = call(
                client,
                "render_gif",
                Map.of(
                        "host",
                        "fleet-2",
                        "command",
                        "seq 3",
                        "sudo",
                        false,
                        "output_name",
                        "seq.gif",
                        "line_delay_ms",
                        100));
        assertFalse(g.isError(), text(g));
        assertTrue(text(g).contains("frames"), text(g));
        assertTrue(Files.isRegularFile(guides.resolve("seq.gif")));
        CallToolResult bad = call(client, "render_output", Map.of("command", "x", "output_name", "../../etc/x"));
        assertTrue(bad.isError());
        assertTrue(text(bad).contains("output_name"), text(bad));
    }
}
