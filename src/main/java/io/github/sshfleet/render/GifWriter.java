package io.github.sshfleet.render;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * An animated GIF made from one rasterized final frame. Every frame only reveals more of that frame (typed
 * characters, new output lines), so: one palette for all frames, computed once from the final image; and each frame
 * after the first is just the rectangle that changed, drawn over the previous one. No SVG is rasterized per frame
 * and nothing is re-quantized per frame.
 */
final class GifWriter {

    /** A rectangle of the final image to reveal, shown for {@code delayMs} once revealed. */
    record Reveal(int x, int y, int w, int h, int delayMs) {}

    private GifWriter() {}

    /**
     * @param finalFrame the complete picture
     * @param first      the first frame (the final picture with everything still to come painted over)
     * @param reveals    in order; each frame draws its rectangle of the final picture over the previous frame
     */
    static void write(
            BufferedImage finalFrame, BufferedImage first, int firstDelayMs, List<Reveal> reveals, OutputStream out)
            throws IOException {
        Palette p = Palette.of(finalFrame, first);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.prepareWriteSequence(null);
            BufferedImage indexedFinal = p.index(finalFrame);
            writeFrame(writer, p.index(first), 0, 0, firstDelayMs, true);
            for (Reveal r : reveals) {
                if (r.w() <= 0 || r.h() <= 0) {
                    continue;
                }
                writeFrame(
                        writer, indexedFinal.getSubimage(r.x(), r.y(), r.w(), r.h()), r.x(), r.y(), r.delayMs(), false);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
    }

    private static void writeFrame(ImageWriter writer, BufferedImage img, int x, int y, int delayMs, boolean first)
            throws IOException {
        ImageWriteParam param = writer.getDefaultWriteParam();
        IIOMetadata meta = writer.getDefaultImageMetadata(new ImageTypeSpecifier(img), param);
        String format = meta.getNativeMetadataFormatName();
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
        IIOMetadataNode gce = child(root, "GraphicControlExtension");
        gce.setAttribute("disposalMethod", "doNotDispose");
        gce.setAttribute("userInputFlag", "FALSE");
        gce.setAttribute("transparentColorFlag", "FALSE");
        gce.setAttribute("delayTime", Integer.toString(Math.max(2, Math.round(delayMs / 10f))));
        gce.setAttribute("transparentColorIndex", "0");
        IIOMetadataNode desc = child(root, "ImageDescriptor");
        desc.setAttribute("imageLeftPosition", Integer.toString(x));
        desc.setAttribute("imageTopPosition", Integer.toString(y));
        desc.setAttribute("imageWidth", Integer.toString(img.getWidth()));
        desc.setAttribute("imageHeight", Integer.toString(img.getHeight()));
        if (first) {
            IIOMetadataNode apps = child(root, "ApplicationExtensions");
            IIOMetadataNode loop = new IIOMetadataNode("ApplicationExtension");
            loop.setAttribute("applicationID", "NETSCAPE");
            loop.setAttribute("authenticationCode", "2.0");
            loop.setUserObject(new byte[] {0x1, 0, 0}); // loop forever
            apps.appendChild(loop);
        }
        meta.setFromTree(format, root);
        writer.writeToSequence(new IIOImage(img, null, meta), param);
    }

    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (int i = 0; i < root.getLength(); i++) {
            if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
                return (IIOMetadataNode) root.item(i);
            }
        }
        IIOMetadataNode n = new IIOMetadataNode(name);
        root.appendChild(n);
        return n;
    }

    /**
     * Up to 256 colours for the whole animation: the most frequent colours of the final image (and the first frame),
     * every other colour mapped to its nearest. A terminal picture has few colours plus anti-aliasing blends, so
     * this loses almost nothing.
     */
    static final class Palette {
        private final int[] colors;
        private final IndexColorModel model;
        private final Map<Integer, Integer> nearest = new HashMap<>();

        private Palette(int[] colors) {
            this.colors = colors;
            byte[] r = new byte[256];
            byte[] g = new byte[256];
            byte[] b = new byte[256];
            for (int i = 0; i < colors.length; i++) {
                r[i] = (byte) (colors[i] >> 16);
                g[i] = (byte) (colors[i] >> 8);
                b[i] = (byte) colors[i];
            }
            this.model = new IndexColorModel(8, 256, r, g, b);
        }

        static Palette of(BufferedImage... images) {
            Map<Integer, int[]> counts = new HashMap<>();
            for (BufferedImage img : images) {
                int[] px = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
                for (int i = 0; i < px.length; i += 1) {
                    counts.computeIfAbsent(px[i] & 0xFFFFFF, k -> new int[1])[0]++;
                }
            }
            int[] top = counts.entrySet().stream()
                    .sorted((a, b) -> Integer.compare(b.getValue()[0], a.getValue()[0]))
                    .limit(256)
                    .mapToInt(Map.Entry::getKey)
                    .toArray();
            return new Palette(top);
        }

        BufferedImage index(BufferedImage src) {
            int w = src.getWidth();
            int h = src.getHeight();
            BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, model);
            int[] px = src.getRGB(0, 0, w, h, null, 0, w);
            byte[] idx = new byte[px.length];
            for (int i = 0; i < px.length; i++) {
                idx[i] = (byte) indexOf(px[i] & 0xFFFFFF);
            }
            out.getRaster().setDataElements(0, 0, w, h, idx);
            return out;
        }

        private int indexOf(int rgb) {
            Integer cached = nearest.get(rgb);
            if (cached != null) {
                return cached;
            }
            int best = 0;
            long bestD = Long.MAX_VALUE;
            for (int i = 0; i < colors.length; i++) {
                int c = colors[i];
                long dr = ((c >> 16) & 0xFF) - ((rgb >> 16) & 0xFF);
                long dg = ((c >> 8) & 0xFF) - ((rgb >> 8) & 0xFF);
                long db = (c & 0xFF) - (rgb & 0xFF);
                long d = 3 * dr * dr + 4 * dg * dg + 2 * db * db;
                if (d < bestD) {
                    bestD = d;
                    best = i;
                }
            }
            nearest.put(rgb, best);
            return best;
        }
    }
}
