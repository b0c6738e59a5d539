package io.github.sshfleet.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Lays a command and its output out as a macOS-style terminal window (Catppuccin Mocha) and writes it as SVG. The
 * grid is fixed (monospace cells, {@value #WRAP} columns), so the GIF writer can reveal cells by geometry alone.
 */
final class TerminalSvg {

    static final int WIDTH = 1200;
    static final int WRAP = 100;
    static final int MARGIN = 40;
    static final int TITLE_H = 40;
    static final int PAD_X = 24;
    static final int PAD_Y = 18;
    static final int FONT_PX = 16;
    static final int LINE_H = 22;
    /** JetBrains Mono advances 600/1000 em. */
    static final double CELL_W = FONT_PX * 0.6;

    static final String FONT_FAMILY = "JetBrains Mono";

    /** What one screenshot shows. {@code promptCells} is where the typed command starts on the first row. */
    record Screen(
            String title,
            List<List<Ansi.Cell>> promptRows,
            int promptCells,
            List<Row> outputRows,
            String truncationNote) {
        int rows() {
            return promptRows.size() + outputRows.size() + (truncationNote == null ? 0 : 1);
        }
    }

    /** An output row with the colour its text gets by default (stderr rows are red). */
    record Row(List<Ansi.Cell> cells, String defaultColor) {}

    /** Pixel positions of the grid, shared with the GIF writer. */
    record Geometry(
            int width, int height, int windowX, int windowY, int windowW, int windowH, int textX, int contentTop) {
        int rowTop(int row) {
            return contentTop + row * LINE_H;
        }

        int colX(int col) {
            return (int) Math.floor(textX + col * CELL_W);
        }
    }

    private TerminalSvg() {}

    static Geometry geometry(Screen s) {
        int windowW = WIDTH - 2 * MARGIN;
        int windowH = TITLE_H + 2 * PAD_Y + Math.max(1, s.rows()) * LINE_H;
        return new Geometry(
                WIDTH,
                windowH + 2 * MARGIN,
                MARGIN,
                MARGIN,
                windowW,
                windowH,
                MARGIN + PAD_X,
                MARGIN + TITLE_H + PAD_Y);
    }

    /** {@code pageColor}: null for a transparent page around the window (PNG), a colour for GIF (no alpha). */
    // Long on purpose: one pass over the cell grid that writes the SVG in document order; helpers would have to share
    // its run state.
    static String svg(Screen s, String pageColor) {
        Geometry g = geometry(s);
        StringBuilder b = new StringBuilder(8192 + s.rows() * 200);
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(g.width())
                .append("\" height=\"")
                .append(g.height())
                .append("\" viewBox=\"0 0 ")
                .append(g.width())
                .append(' ')
                .append(g.height())
                .append("\">\n<defs><filter id=\"shadow\" x=\"-10%\" y=\"-10%\" width=\"120%\" height=\"130%\">")
                .append("<feGaussianBlur stdDeviation=\"10\"/></filter>")
                .append("<clipPath id=\"win\"><rect x=\"")
                .append(g.windowX())
                .append("\" y=\"")
                .append(g.windowY())
                .append("\" width=\"")
                .append(g.windowW())
                .append("\" height=\"")
                .append(g.windowH())
                .append("\" rx=\"10\"/></clipPath></defs>\n");
        if (pageColor != null) {
            b.append("<rect width=\"100%\" height=\"100%\" fill=\"")
                    .append(pageColor)
                    .append("\"/>\n");
        }
        // Soft drop shadow: a blurred dark copy of the window, a little lower.
        b.append("<rect x=\"")
                .append(g.windowX())
                .append("\" y=\"")
                .append(g.windowY() + 10)
                .append("\" width=\"")
                .append(g.windowW())
                .append("\" height=\"")
                .append(g.windowH())
                .append("\" rx=\"10\" fill=\"#000000\" fill-opacity=\"0.45\" filter=\"url(#shadow)\"/>\n");
        b.append("<g clip-path=\"url(#win)\">\n<rect x=\"")
                .append(g.windowX())
                .append("\" y=\"")
                .append(g.windowY())
                .append("\" width=\"")
                .append(g.windowW())
                .append("\" height=\"")
                .append(g.windowH())
                .append("\" fill=\"")
                .append(Theme.WINDOW)
                .append("\"/>\n<rect x=\"")
                .append(g.windowX())
                .append("\" y=\"")
                .append(g.windowY())
                .append("\" width=\"")
                .append(g.windowW())
                .append("\" height=\"")
                .append(TITLE_H)
                .append("\" fill=\"")
                .append(Theme.TITLE_BAR)
                .append("\"/>\n</g>\n");
        String[] lights = {Theme.CLOSE, Theme.MINIMIZE, Theme.ZOOM};
        for (int i = 0; i < 3; i++) {
            b.append("<circle cx=\"")
                    .append(g.windowX() + 20 + i * 20)
                    .append("\" cy=\"")
                    .append(g.windowY() + TITLE_H / 2)
                    .append("\" r=\"6\" fill=\"")
                    .append(lights[i])
                    .append("\"/>\n");
        }
        b.append("<text x=\"")
                .append(g.windowX() + g.windowW() / 2)
                .append("\" y=\"")
                .append(g.windowY() + 25)
                .append("\" text-anchor=\"middle\" font-family=\"")
                .append(FONT_FAMILY)
                .append(", monospace\" ")
                .append("font-size=\"13\" fill=\"")
                .append(Theme.DIM)
                .append("\">")
                .append(escape(s.title()))
                .append("</text>\n");
        b.append("<g font-family=\"")
                .append(FONT_FAMILY)
                .append(", monospace\" font-size=\"")
                .append(FONT_PX)
                .append("\" xml:space=\"preserve\">\n");
        int row = 0;
        for (List<Ansi.Cell> cells : s.promptRows()) {
            appendRow(b, g, row++, cells, Theme.TEXT);
        }
        for (Row r : s.outputRows()) {
            appendRow(b, g, row++, r.cells(), r.defaultColor());
        }
        if (s.truncationNote() != null) {
            appendRun(
                    b, g, row, 0, s.truncationNote(), new Ansi.Style(Theme.DIM, null, false, false, false), Theme.DIM);
        }
        b.append("</g>\n</svg>\n");
        return b.toString();
    }

    private static void appendRow(StringBuilder b, Geometry g, int row, List<Ansi.Cell> cells, String defaultColor) {
        int col = 0;
        int i = 0;
        while (i < cells.size()) {
            Ansi.Cell first = cells.get(i);
            StringBuilder text = new StringBuilder(first.text());
            int startCol = col;
            col += first.width();
            i++;
            // Narrow cells of one style form a run; a wide cell always stands alone at its own column.
            while (first.width() == 1
                    && i < cells.size()
                    && cells.get(i).width() == 1
                    && cells.get(i).style().equals(first.style())) {
                text.append(cells.get(i).text());
                col++;
                i++;
            }
            if (first.style().bg() != null) {
                b.append("<rect x=\"")
                        .append(g.colX(startCol))
                        .append("\" y=\"")
                        .append(g.rowTop(row))
                        .append("\" width=\"")
                        .append(g.colX(col) - g.colX(startCol))
                        .append("\" height=\"")
                        .append(LINE_H)
                        .append("\" fill=\"")
                        .append(first.style().bg())
                        .append("\"/>\n");
            }
            if (!text.toString().isBlank()) {
                appendRun(b, g, row, startCol, text.toString(), first.style(), defaultColor);
            }
        }
    }

    private static void appendRun(
            StringBuilder b, Geometry g, int row, int col, String text, Ansi.Style st, String defaultColor) {
        b.append("<text x=\"")
                .append(String.format(Locale.ROOT, "%.1f", g.textX() + col * CELL_W))
                .append("\" y=\"")
                .append(g.rowTop(row) + 16)
                .append("\" fill=\"")
                .append(st.fg() != null ? st.fg() : defaultColor)
                .append('"');
        if (st.bold()) {
            b.append(" font-weight=\"bold\"");
        }
        if (st.dim()) {
            b.append(" fill-opacity=\"0.6\"");
        }
        if (st.underline()) {
            b.append(" text-decoration=\"underline\"");
        }
        b.append('>').append(escape(text)).append("</text>\n");
    }

    /** XML text: markup characters escaped, characters XML cannot carry dropped. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> {
                    boolean legal = cp == 0x9
                            || cp == 0xA
                            || cp == 0xD
                            || (cp >= 0x20 && cp <= 0xD7FF)
                            || (cp >= 0xE000 && cp <= 0xFFFD)
                            || (cp >= 0x10000 && cp <= 0x10FFFF);
                    if (legal) {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return out.toString();
    }

    /** The prompt line, as a terminal shows it: user@host:cwd$ [sudo ]command, wrapped like output. */
    static List<List<Ansi.Cell>> promptRows(
            String user, String host, String cwd, boolean sudo, String command, int[] promptCellsOut) {
        String symbol = user.equals("root") ? "# " : "$ ";
        String prefix = "\u001b[38;2;166;227;161m" + user + "@" + host + "\u001b[0m:\u001b[38;2;137;180;250m" + cwd
                + "\u001b[0m" + symbol + (sudo ? "\u001b[38;2;249;226;175msudo\u001b[0m " : "");
        String visiblePrefix = user + "@" + host + ":" + cwd + symbol + (sudo ? "sudo " : "");
        promptCellsOut[0] = Ansi.parse(visiblePrefix, Integer.MAX_VALUE, 1).rows().stream()
                .mapToInt(r -> r.stream().mapToInt(Ansi.Cell::width).sum())
                .sum();
        String plainCommand = command.replace("\u001b", "").replace("\n", " ").replace("\r", "");
        List<List<Ansi.Cell>> rows =
                new ArrayList<>(Ansi.parse(prefix + plainCommand, WRAP, 20).rows());
        if (rows.isEmpty()) {
            rows.add(new ArrayList<>());
        }
        return rows;
    }
}
