package io.github.sshfleet.render;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Terminal screenshots: a command and its output as SVG (the layout), PNG (Batik) or an animated GIF (the prompt,
 * the command typed, then the output appearing). One rasterization per image, GIF included.
 */
public final class Renderer {

    public enum Format {
        PNG,
        SVG,
        GIF
    }

    /** What to draw. {@code stderr} lines are drawn red after stdout's (the two streams were kept apart). */
    public record Request(
            String command,
            String stdout,
            String stderr,
            int exitCode,
            String user,
            String host,
            String cwd,
            boolean sudo,
            String title,
            String outputName,
            int maxOutputLines) {}

    /** GIF timing, as the reference names it. */
    public record Animation(int lineDelayMs, int holdMs, int promptHoldMs, int batchLines) {}

    /** The written file and what is in it; {@code png} holds the PNG bytes for a PNG render (to show the agent). */
    public record Rendered(
            Path path,
            Format format,
            int width,
            int height,
            long bytes,
            long outputLines,
            boolean truncated,
            int frames,
            byte[] png) {}

    /** Delay between typed characters of the command in a GIF. */
    private static final int TYPE_MS = 40;

    private final GuideFiles files;

    public Renderer(Path guideDir) {
        this.files = new GuideFiles(guideDir);
    }

    public Rendered render(Request r, Format format) {
        Layout l = layout(r);
        String svg = TerminalSvg.svg(l.screen, null);
        if (format == Format.SVG) {
            Path target = files.target(r.outputName(), r.command(), "svg");
            byte[] bytes = svg.getBytes(StandardCharsets.UTF_8);
            files.write(target, bytes);
            return new Rendered(
                    target,
                    format,
                    l.geometry.width(),
                    l.geometry.height(),
                    bytes.length,
                    l.outputLines,
                    l.truncated,
                    1,
                    null);
        }
        BufferedImage img = Rasterizer.render(svg);
        byte[] png = encodePng(img);
        Path target = files.target(r.outputName(), r.command(), "png");
        files.write(target, png);
        return new Rendered(
                target, Format.PNG, img.getWidth(), img.getHeight(), png.length, l.outputLines, l.truncated, 1, png);
    }

    // Long on purpose: the GIF encoder loop: per frame palette, delay and disposal, written in file order.
    public Rendered renderGif(Request r, Animation a) {
        Layout l = layout(r);
        TerminalSvg.Geometry g = l.geometry;
        BufferedImage full = Rasterizer.render(TerminalSvg.svg(l.screen, Theme.CRUST));
        // Frame 0: the prompt alone. Everything still to come is painted over with the window colour.
        BufferedImage first = copy(full);
        Graphics2D gr = first.createGraphics();
        gr.setColor(Color.decode(Theme.WINDOW));
        List<int[]> commandCells = commandCells(l.screen);
        for (int[] c : commandCells) {
            gr.fillRect(g.colX(c[1]), g.rowTop(c[0]), g.colX(c[1] + c[2]) - g.colX(c[1]), TerminalSvg.LINE_H);
        }
        int outputStart = l.screen.promptRows().size();
        int outputRows = l.screen.rows() - outputStart;
        if (outputRows > 0) {
            gr.fillRect(g.windowX() + 1, g.rowTop(outputStart), g.windowW() - 2, outputRows * TerminalSvg.LINE_H);
        }
        gr.dispose();

        List<GifWriter.Reveal> reveals = new ArrayList<>();
        // Typing: one frame per step; long commands type several characters per step (at most 40 steps).
        int step = Math.max(1, (commandCells.size() + 39) / 40);
        for (int i = 0; i < commandCells.size(); i += step) {
            int end = Math.min(commandCells.size(), i + step);
            for (int k = i; k < end; k++) {
                int[] c = commandCells.get(k);
                boolean last = k == end - 1;
                int delay = last ? (end == commandCells.size() ? Math.max(TYPE_MS, a.lineDelayMs()) : TYPE_MS) : 0;
                reveals.add(new GifWriter.Reveal(
                        g.colX(c[1]), g.rowTop(c[0]), g.colX(c[1] + c[2]) - g.colX(c[1]), TerminalSvg.LINE_H, delay));
            }
        }
        for (int row = 0; row < outputRows; row += a.batchLines()) {
            int n = Math.min(a.batchLines(), outputRows - row);
            boolean last = row + n >= outputRows;
            reveals.add(new GifWriter.Reveal(
                    g.windowX() + 1,
                    g.rowTop(outputStart + row),
                    g.windowW() - 2,
                    n * TerminalSvg.LINE_H,
                    last ? a.holdMs() : a.lineDelayMs()));
        }
        if (outputRows == 0 && !reveals.isEmpty()) { // nothing printed: still hold the final picture
            GifWriter.Reveal lastR = reveals.remove(reveals.size() - 1);
            reveals.add(new GifWriter.Reveal(lastR.x(), lastR.y(), lastR.w(), lastR.h(), a.holdMs()));
        }
        reveals = merge(reveals);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            GifWriter.write(full, first, a.promptHoldMs(), reveals, out);
        } catch (IOException e) {
            throw new IllegalStateException("GIF encoding failed", e);
        }
        Path target = files.target(r.outputName(), r.command(), "gif");
        files.write(target, out.toByteArray());
        return new Rendered(
                target,
                Format.GIF,
                full.getWidth(),
                full.getHeight(),
                out.size(),
                l.outputLines,
                l.truncated,
                1 + reveals.size(),
                null);
    }

    /** Zero-delay reveals are folded into the next one: one frame per visible step. */
    private static List<GifWriter.Reveal> merge(List<GifWriter.Reveal> in) {
        List<GifWriter.Reveal> out = new ArrayList<>();
        GifWriter.Reveal acc = null;
        for (GifWriter.Reveal r : in) {
            acc = acc == null ? r : union(acc, r);
            if (r.delayMs() > 0) {
                out.add(acc);
                acc = null;
            }
        }
        if (acc != null) {
            out.add(acc);
        }
        return out;
    }

    private static GifWriter.Reveal union(GifWriter.Reveal a, GifWriter.Reveal b) {
        int x = Math.min(a.x(), b.x());
        int y = Math.min(a.y(), b.y());
        int x2 = Math.max(a.x() + a.w(), b.x() + b.w());
        int y2 = Math.max(a.y() + a.h(), b.y() + b.h());
        return new GifWriter.Reveal(x, y, x2 - x, y2 - y, b.delayMs());
    }

    /** Row, column and width of each command cell after the prompt, in typing order. */
    private static List<int[]> commandCells(TerminalSvg.Screen s) {
        List<int[]> cells = new ArrayList<>();
        int seen = 0;
        for (int row = 0; row < s.promptRows().size(); row++) {
            int col = 0;
            for (Ansi.Cell c : s.promptRows().get(row)) {
                if (seen >= s.promptCells()) {
                    cells.add(new int[] {row, col, c.width()});
                }
                seen += c.width();
                col += c.width();
            }
        }
        return cells;
    }

    private record Layout(
            TerminalSvg.Screen screen, TerminalSvg.Geometry geometry, long outputLines, boolean truncated) {}

    private static Layout layout(Request r) {
        int max = Math.max(1, r.maxOutputLines());
        Ansi.Parsed out = Ansi.parse(r.stdout() == null ? "" : r.stdout(), TerminalSvg.WRAP, max + 1);
        Ansi.Parsed err = Ansi.parse(r.stderr() == null ? "" : r.stderr(), TerminalSvg.WRAP, max + 1);
        List<TerminalSvg.Row> rows = new ArrayList<>();
        out.rows().forEach(cells -> rows.add(new TerminalSvg.Row(cells, Theme.TEXT)));
        err.rows().forEach(cells -> rows.add(new TerminalSvg.Row(cells, Theme.STDERR)));
        long total = out.totalRows() + err.totalRows();
        String note = null;
        List<TerminalSvg.Row> shown = rows;
        if (total > max) {
            shown = new ArrayList<>(rows.subList(0, Math.min(max, rows.size())));
            note = "[... " + (total - shown.size()) + " more lines not shown (max_output_lines=" + max + ") ...]";
        }
        int[] promptCells = new int[1];
        List<List<Ansi.Cell>> prompt =
                TerminalSvg.promptRows(r.user(), r.host(), r.cwd(), r.sudo(), r.command(), promptCells);
        String title =
                r.title() != null && !r.title().isBlank() ? r.title() : r.user() + "@" + r.host() + ": " + r.cwd();
        TerminalSvg.Screen screen = new TerminalSvg.Screen(title, prompt, promptCells[0], shown, note);
        return new Layout(screen, TerminalSvg.geometry(screen), total, note != null);
    }

    private static BufferedImage copy(BufferedImage src) {
        BufferedImage c = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = c.createGraphics();
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return c;
    }

    private static byte[] encodePng(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding failed", e);
        }
        return out.toByteArray();
    }
}
