package io.github.sshfleet.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.core.FleetException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RendererTest {

    @TempDir
    Path dir;

    Renderer.Request request(String stdout, String stderr, String name) {
        return new Renderer.Request("ls -la", stdout, stderr, 0, "deploy", "web-1", "~", false, null, name, 200);
    }

    static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xFFFFFF;
    }

    static boolean near(int rgb, int expected, int tolerance) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs(((rgb >> shift) & 0xFF) - ((expected >> shift) & 0xFF)) > tolerance) {
                return false;
            }
        }
        return true;
    }

    @Test
    void pngHasTheLookAndRedStderr() throws Exception {
        Renderer r = new Renderer(dir.resolve("guides"));
        Renderer.Rendered done = r.render(
                request("total 0\nfile.txt\n", "ls: cannot access 'x': No such file\n", "look"), Renderer.Format.PNG);
        BufferedImage img = ImageIO.read(done.path().toFile());
        assertEquals(1200, img.getWidth());
        assertEquals(done.height(), img.getHeight());
        assertEquals(3, done.outputLines());
        int wx = TerminalSvg.MARGIN;
        int wy = TerminalSvg.MARGIN;
        assertEquals(0x1e1e2e, rgb(img, wx + 1100, wy + TerminalSvg.TITLE_H + 8), "window background");
        assertEquals(0x181825, rgb(img, wx + 300, wy + 5), "title bar");
        assertTrue(near(rgb(img, wx + 20, wy + 20), 0xff5f57, 8), "close light");
        assertTrue(near(rgb(img, wx + 40, wy + 20), 0xfebc2e, 8), "minimize light");
        assertTrue(near(rgb(img, wx + 60, wy + 20), 0x28c840, 8), "zoom light");
        // Row 0 is the prompt, rows 1-2 stdout, row 3 stderr: red pixels there, none on the stdout rows.
        assertTrue(hasColor(img, rowBand(3), 0xf38ba8), "stderr drawn red");
        assertFalse(hasColor(img, rowBand(1), 0xf38ba8), "stdout not red");
        assertTrue(hasColor(img, rowBand(0), 0xa6e3a1), "user@host in green on the prompt");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(done.path())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("guides"))));
    }

    static int[] rowBand(int row) {
        int top = TerminalSvg.MARGIN + TerminalSvg.TITLE_H + TerminalSvg.PAD_Y + row * TerminalSvg.LINE_H;
        return new int[] {top, top + TerminalSvg.LINE_H};
    }

    static boolean hasColor(BufferedImage img, int[] band, int color) {
        for (int y = band[0]; y < band[1]; y++) {
            for (int x = TerminalSvg.MARGIN + TerminalSvg.PAD_X; x < 1100; x++) {
                if (near(rgb(img, x, y), color, 6)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void svgIsWellFormedAndEscapesMarkup() throws Exception {
        Renderer r = new Renderer(dir);
        Renderer.Rendered done = r.render(
                new Renderer.Request(
                        "echo '<a & b>'",
                        "<a & b>\n\u0001binary\u00ff\n",
                        "",
                        0,
                        "u",
                        "h",
                        "~",
                        true,
                        "title \"quoted\" <x>",
                        "markup",
                        200),
                Renderer.Format.SVG);
        String svg = Files.readString(done.path());
        DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(done.path().toFile());
        assertTrue(svg.contains("&lt;a &amp; b&gt;"), svg);
        assertFalse(svg.contains("<a & b>"));
        assertTrue(svg.contains(">sudo</text>"), "sudo shown on the prompt");
    }

    @Test
    void gifHasOneFramePerStepWithTheAskedDelays() throws Exception {
        Renderer r = new Renderer(dir);
        Renderer.Request req = new Renderer.Request(
                "ab", "one\ntwo\nthree\nfour\nfive\n", "", 0, "u", "h", "~", false, null, "anim", 50);
        Renderer.Rendered done = r.renderGif(req, new Renderer.Animation(200, 3000, 500, 2));
        try (ImageInputStream in =
                ImageIO.createImageInputStream(new ByteArrayInputStream(Files.readAllBytes(done.path())))) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            int frames = reader.getNumImages(true);
            // prompt frame, 2 typed characters, 3 output batches (2+2+1 lines)
            assertEquals(1 + 2 + 3, frames);
            assertEquals(frames, done.frames());
            int[] expected = {50, 4, 20, 20, 20, 300};
            for (int i = 0; i < frames; i++) {
                IIOMetadataNode root =
                        (IIOMetadataNode) reader.getImageMetadata(i).getAsTree("javax_imageio_gif_image_1.0");
                IIOMetadataNode gce = (IIOMetadataNode)
                        root.getElementsByTagName("GraphicControlExtension").item(0);
                assertEquals(expected[i], Integer.parseInt(gce.getAttribute("delayTime")), "frame " + i);
            }
            BufferedImage first = reader.read(0);
            assertEquals(1200, first.getWidth());
        }
    }

    @Test
    void badInputIsHandled() throws Exception {
        Renderer r = new Renderer(dir);
        assertEquals(0, r.render(request("", "", "empty"), Renderer.Format.PNG).outputLines());
        Renderer.Rendered huge = r.render(request("line\n".repeat(100_000), "", "huge"), Renderer.Format.PNG);
        assertTrue(huge.truncated());
        assertEquals(100_000, huge.outputLines());
        assertTrue(huge.height() < 6000, "bounded by max_output_lines");
        Renderer.Rendered wide = r.render(request("y".repeat(10_000), "", "wide"), Renderer.Format.PNG);
        assertEquals(100, wide.outputLines(), "a 10,000-column line wraps at 100 columns");
        byte[] garbage = new byte[4096];
        new java.util.Random(1).nextBytes(garbage);
        r.render(
                request(new String(garbage, java.nio.charset.StandardCharsets.ISO_8859_1), "", "garbage"),
                Renderer.Format.SVG);
        FleetException escape =
                assertThrows(FleetException.class, () -> r.render(request("x", "", "../evil"), Renderer.Format.PNG));
        assertTrue(escape.getMessage().contains("output_name"), escape.getMessage());
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Path file = Files.writeString(ro.resolve("blocker"), "x");
        FleetException unwritable = assertThrows(
                FleetException.class, () -> new Renderer(file).render(request("x", "", "n"), Renderer.Format.PNG));
        assertTrue(unwritable.getMessage().contains("guide_output_dir"), unwritable.getMessage());
    }
}
