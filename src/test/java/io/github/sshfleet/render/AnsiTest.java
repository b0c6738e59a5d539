package io.github.sshfleet.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AnsiTest {

    static String text(List<Ansi.Cell> row) {
        return row.stream().map(Ansi.Cell::text).collect(Collectors.joining());
    }

    @Test
    void coloursLandOnTheRightCells() {
        Ansi.Parsed p = Ansi.parse("ab\u001b[31mcd\u001b[0me\u001b[1;38;5;208mf\u001b[38;2;1;2;3mg\u001b[4mh", 100, 10);
        List<Ansi.Cell> row = p.rows().get(0);
        assertEquals("abcdefgh", text(row));
        assertNull(row.get(1).style().fg());
        assertEquals(Theme.ANSI[1], row.get(2).style().fg());
        assertEquals(Theme.ANSI[1], row.get(3).style().fg());
        assertNull(row.get(4).style().fg(), "reset");
        assertEquals("#ff8700", row.get(5).style().fg());
        assertTrue(row.get(5).style().bold());
        assertEquals("#010203", row.get(6).style().fg());
        assertTrue(row.get(7).style().underline());
        assertEquals(Theme.ANSI[12], Ansi.sgr("94", Ansi.Style.PLAIN).fg());
        assertEquals(Theme.ANSI[3], Ansi.sgr("43", Ansi.Style.PLAIN).bg());
        assertTrue(Ansi.sgr("2", Ansi.Style.PLAIN).dim());
    }

    @Test
    void otherEscapesAndControlsAreStrippedNotPrinted() {
        Ansi.Parsed p = Ansi.parse("\u001b[2J\u001b[Hclean\u001b]0;title\u0007 \u001b(Bok\u0007\b\r\u0000!", 100, 10);
        assertEquals("clean ok!", text(p.rows().get(0)));
    }

    @Test
    void tabsWideCharactersAndWrapping() {
        List<Ansi.Cell> tab = Ansi.parse("a\tb", 100, 10).rows().get(0);
        assertEquals("a       b", text(tab), "tab stops every 8 columns");
        List<Ansi.Cell> wide = Ansi.parse("漢字x🚀é\u0301", 100, 10).rows().get(0);
        assertEquals(List.of(2, 2, 1, 2, 1), wide.stream().map(Ansi.Cell::width).toList());
        assertEquals("é\u0301", wide.get(4).text(), "a combining mark joins its cell");
        Ansi.Parsed wrapped = Ansi.parse("x".repeat(250), 100, 10);
        assertEquals(3, wrapped.rows().size());
        assertEquals(100, wrapped.rows().get(0).size());
        assertEquals(50, wrapped.rows().get(2).size());
        Ansi.Parsed wideWrap = Ansi.parse("x".repeat(99) + "漢", 100, 10);
        assertEquals(2, wideWrap.rows().size(), "a wide character never straddles the wrap column");
    }

    @Test
    void workIsBoundedButRowsAreCounted() {
        Ansi.Parsed p = Ansi.parse("line\n".repeat(100_000), 100, 51);
        assertEquals(51, p.rows().size());
        assertEquals(100_000, p.totalRows());
        assertEquals(0, Ansi.parse("", 100, 10).totalRows());
        assertEquals(1, Ansi.parse("no newline", 100, 10).totalRows());
        assertFalse(Ansi.parse("a\n\nb\n", 100, 10).rows().get(1).iterator().hasNext(), "blank line kept");
    }
}
