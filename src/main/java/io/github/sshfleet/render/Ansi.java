package io.github.sshfleet.render;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns terminal output into rows of styled cells: SGR colours (16, 256, truecolour), bold, dim, underline and reset
 * are honoured; every other escape sequence and control character is dropped. Tabs stop every 8 columns, wide
 * characters (CJK, emoji) take two cells, combining marks join the previous cell, and rows wrap at a fixed width.
 * Work is bounded: rows past {@code maxRows} are only counted.
 */
final class Ansi {

    /** How a cell is drawn; null colours mean the line's default. */
    record Style(String fg, String bg, boolean bold, boolean dim, boolean underline) {
        static final Style PLAIN = new Style(null, null, false, false, false);
    }

    /** One character cell (two for a wide character; a wide character's second cell is not stored). */
    record Cell(String text, int width, Style style) {}

    /** Parsed rows (at most maxRows), and how many rows the whole text would have taken. */
    record Parsed(List<List<Cell>> rows, long totalRows) {}

    private Ansi() {}

    // Long on purpose: a byte-level state machine over ANSI escapes; splitting it would spread its states over methods.
    static Parsed parse(String text, int wrapCols, int maxRows) {
        List<List<Cell>> rows = new ArrayList<>();
        List<Cell> row = new ArrayList<>();
        int col = 0;
        long total = 0;
        Style style = Style.PLAIN;
        int i = 0;
        int n = text.length();
        if (n == 0) {
            return new Parsed(rows, 0);
        }
        while (i < n) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            if (cp == 0x1B) {
                int[] end = new int[1];
                style = escape(text, i, style, end);
                i = end[0];
                continue;
            }
            i += len;
            if (cp == '\n') {
                total++;
                if (rows.size() < maxRows) {
                    rows.add(row);
                }
                row = new ArrayList<>();
                col = 0;
                continue;
            }
            if (cp == '\t') {
                int spaces = 8 - col % 8;
                for (int s = 0; s < spaces; s++) {
                    if (col >= wrapCols) {
                        break;
                    }
                    row.add(new Cell(" ", 1, style));
                    col++;
                }
                continue;
            }
            if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
                continue; // other control characters (including \r, \b, bells) are not drawn
            }
            int w = width(cp);
            if (w == 0) {
                if (!row.isEmpty()) { // combining mark or joiner: part of the previous cell
                    Cell last = row.get(row.size() - 1);
                    row.set(
                            row.size() - 1,
                            new Cell(last.text() + new String(Character.toChars(cp)), last.width(), last.style()));
                }
                continue;
            }
            if (col + w > wrapCols) {
                total++;
                if (rows.size() < maxRows) {
                    rows.add(row);
                }
                row = new ArrayList<>();
                col = 0;
            }
            if (rows.size() < maxRows) {
                row.add(new Cell(new String(Character.toChars(cp)), w, style));
            }
            col += w;
        }
        if (!row.isEmpty() || text.charAt(n - 1) != '\n') {
            total++;
            if (rows.size() < maxRows) {
                rows.add(row);
            }
        }
        return new Parsed(rows, total);
    }

    /** Consumes one escape sequence starting at {@code start}; returns the style after it. */
    private static Style escape(String t, int start, Style style, int[] end) {
        int n = t.length();
        if (start + 1 >= n) {
            end[0] = n;
            return style;
        }
        char kind = t.charAt(start + 1);
        if (kind == '[') { // CSI: parameters, intermediates, final byte
            int j = start + 2;
            while (j < n && t.charAt(j) >= 0x30 && t.charAt(j) <= 0x3F) {
                j++;
            }
            int paramsEnd = j;
            while (j < n && t.charAt(j) >= 0x20 && t.charAt(j) <= 0x2F) {
                j++;
            }
            if (j >= n) {
                end[0] = n;
                return style;
            }
            end[0] = j + 1;
            return t.charAt(j) == 'm' ? sgr(t.substring(start + 2, paramsEnd), style) : style;
        }
        if (kind == ']' || kind == 'P' || kind == '_' || kind == '^') { // OSC/DCS/APC/PM: up to BEL or ST
            int j = start + 2;
            while (j < n && t.charAt(j) != 0x07 && !(t.charAt(j) == 0x1B && j + 1 < n && t.charAt(j + 1) == '\\')) {
                j++;
            }
            end[0] = j >= n ? n : t.charAt(j) == 0x07 ? j + 1 : j + 2;
            return style;
        }
        end[0] = Math.min(n, start + 2); // two-byte sequences (ESC =, ESC 7, charset selection...)
        if ((kind == '(' || kind == ')') && start + 2 < n) {
            end[0] = start + 3;
        }
        return style;
    }

    static Style sgr(String params, Style s) {
        String[] p = params.isEmpty() ? new String[] {"0"} : params.split("[;:]", -1);
        String fg = s.fg();
        String bg = s.bg();
        boolean bold = s.bold();
        boolean dim = s.dim();
        boolean underline = s.underline();
        for (int k = 0; k < p.length; k++) {
            int v = num(p[k]);
            switch (v) {
                case 0 -> {
                    fg = null;
                    bg = null;
                    bold = false;
                    dim = false;
                    underline = false;
                }
                case 1 -> bold = true;
                case 2 -> dim = true;
                case 4 -> underline = true;
                case 22 -> {
                    bold = false;
                    dim = false;
                }
                case 24 -> underline = false;
                case 39 -> fg = null;
                case 49 -> bg = null;
                case 38, 48 -> {
                    String c = null;
                    if (k + 2 < p.length && num(p[k + 1]) == 5) {
                        c = Theme.xterm256(Math.max(0, Math.min(255, num(p[k + 2]))));
                        k += 2;
                    } else if (k + 4 < p.length && num(p[k + 1]) == 2) {
                        c = Theme.rgb(num(p[k + 2]), num(p[k + 3]), num(p[k + 4]));
                        k += 4;
                    }
                    if (v == 38) {
                        fg = c;
                    } else {
                        bg = c;
                    }
                }
                default -> {
                    if (v >= 30 && v <= 37) {
                        fg = Theme.ANSI[v - 30];
                    } else if (v >= 90 && v <= 97) {
                        fg = Theme.ANSI[v - 90 + 8];
                    } else if (v >= 40 && v <= 47) {
                        bg = Theme.ANSI[v - 40];
                    } else if (v >= 100 && v <= 107) {
                        bg = Theme.ANSI[v - 100 + 8];
                    }
                }
            }
        }
        return new Style(fg, bg, bold, dim, underline);
    }

    private static int num(String s) {
        if (s.isEmpty() || s.length() > 6) {
            return 0;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Terminal cell width: 0 for combining marks and joiners, 2 for East Asian wide and emoji, else 1. */
    static int width(int cp) {
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK
                || type == Character.ENCLOSING_MARK
                || cp == 0x200D
                || (cp >= 0xFE00 && cp <= 0xFE0F)
                || cp == 0x200B) {
            return 0;
        }
        if ((cp >= 0x1100 && cp <= 0x115F)
                || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F)
                || (cp >= 0xAC00 && cp <= 0xD7A3)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0xFE30 && cp <= 0xFE4F)
                || (cp >= 0xFF00 && cp <= 0xFF60)
                || (cp >= 0xFFE0 && cp <= 0xFFE6)
                || (cp >= 0x1F300 && cp <= 0x1F64F)
                || (cp >= 0x1F900 && cp <= 0x1F9FF)
                || (cp >= 0x1F680 && cp <= 0x1F6FF)
                || (cp >= 0x2614 && cp <= 0x2615)
                || (cp >= 0x26A1 && cp <= 0x26AA)
                || (cp >= 0x20000 && cp <= 0x3FFFD)) {
            return 2;
        }
        return 1;
    }
}
