package io.github.sshfleet.render;

import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import org.apache.batik.transcoder.TranscoderException;
import org.apache.batik.transcoder.TranscoderInput;
import org.apache.batik.transcoder.TranscoderOutput;
import org.apache.batik.transcoder.image.ImageTranscoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SVG to pixels with Batik, headless. The bundled JetBrains Mono is registered with AWT once, so Batik finds the
 * family by name and every machine draws the same glyphs whatever fonts it has installed.
 */
final class Rasterizer {

    private static final Logger log = LoggerFactory.getLogger(Rasterizer.class);
    private static volatile boolean fontsRegistered;

    private Rasterizer() {}

    static void registerFonts() {
        if (fontsRegistered) {
            return;
        }
        synchronized (Rasterizer.class) {
            if (fontsRegistered) {
                return;
            }
            System.setProperty("java.awt.headless", "true");
            GraphicsEnvironment ge = GraphicsEnvironment.getLocalGraphicsEnvironment();
            for (String face : new String[] {"JetBrainsMono-Regular.ttf", "JetBrainsMono-Bold.ttf"}) {
                try (InputStream in = Rasterizer.class.getResourceAsStream("fonts/" + face)) {
                    if (in == null) {
                        log.warn("bundled font {} missing; screenshots fall back to a system monospace font", face);
                        continue;
                    }
                    ge.registerFont(Font.createFont(Font.TRUETYPE_FONT, in));
                } catch (IOException | FontFormatException e) {
                    log.warn("cannot load bundled font {}: {}", face, e.toString());
                }
            }
            fontsRegistered = true;
        }
    }

    /** Renders the SVG at its own size (1200 px wide). */
    static BufferedImage render(String svg) {
        registerFonts();
        Capture t = new Capture();
        try {
            t.transcode(new TranscoderInput(new StringReader(svg)), new TranscoderOutput());
        } catch (TranscoderException e) {
            throw new IllegalStateException("Batik could not render the generated SVG: " + e.getMessage(), e);
        }
        return t.image;
    }

    /** Keeps the image Batik produced instead of encoding it. */
    private static final class Capture extends ImageTranscoder {
        BufferedImage image;

        @Override
        public BufferedImage createImage(int w, int h) {
            return new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        }

        @Override
        public void writeImage(BufferedImage img, TranscoderOutput out) {
            this.image = img;
        }
    }
}
