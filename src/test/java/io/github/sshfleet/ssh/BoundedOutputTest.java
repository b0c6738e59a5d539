package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BoundedOutputTest {

    @Test
    void shortOutputIsKeptWhole() {
        BoundedOutput o = new BoundedOutput(100);
        o.write("hello\n".getBytes(StandardCharsets.UTF_8), 0, 6);
        assertEquals("hello\n", o.text());
        assertFalse(o.truncated());
    }

    @Test
    void exactlyAtCapIsNotTruncated() {
        BoundedOutput o = new BoundedOutput(10);
        for (char c : "0123456789".toCharArray()) {
            o.write(c);
        }
        assertEquals("0123456789", o.text());
    }

    @Test
    void longOutputKeepsHeadAndTailWithAMarker() {
        BoundedOutput o = new BoundedOutput(10);
        byte[] data = "abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.UTF_8);
        o.write(data, 0, 3); // small writes
        o.write(data, 3, 20); // one write larger than the tail
        o.write(data, 23, 3); // wraps the ring
        assertTrue(o.truncated());
        assertEquals(26, o.totalBytes());
        assertEquals("abcde\n[... 16 bytes omitted ...]\nvwxyz", o.text());
    }

    @Test
    void brokenUtf8AtTheCutIsReplacedNotThrown() {
        BoundedOutput o = new BoundedOutput(8); // head 4 bytes: one € and a stray lead byte
        byte[] euro = "€€€€€".getBytes(StandardCharsets.UTF_8); // 15 bytes, cuts land mid-character
        o.write(euro, 0, euro.length);
        String t = o.text();
        assertTrue(t.contains("omitted"));
        assertTrue(t.contains("\uFFFD"));
    }

    @Test
    void sinceReturnsOnlyNewTextAndMarksWhatWasDropped() {
        BoundedOutput b = new BoundedOutput(20); // 10 bytes of head, 10 of tail
        b.write("abcdef".getBytes(), 0, 6);
        BoundedOutput.Since first = b.since(0);
        org.junit.jupiter.api.Assertions.assertEquals("abcdef", first.text());
        org.junit.jupiter.api.Assertions.assertEquals(6, first.nextOffset());
        b.write("ghij".getBytes(), 0, 4);
        org.junit.jupiter.api.Assertions.assertEquals("ghij", b.since(6).text());
        byte[] many = "0123456789".repeat(5).getBytes();
        b.write(many, 0, many.length); // 60 bytes in all: 10 head, 40 dropped, 10 tail
        BoundedOutput.Since later = b.since(10);
        org.junit.jupiter.api.Assertions.assertEquals("\n[... 40 bytes omitted ...]\n0123456789", later.text());
        org.junit.jupiter.api.Assertions.assertEquals(60, later.nextOffset());
        org.junit.jupiter.api.Assertions.assertEquals("", b.since(60).text());
        org.junit.jupiter.api.Assertions.assertEquals("789", b.since(57).text());
        org.junit.jupiter.api.Assertions.assertEquals("0123456789", b.lastLine());
    }

    /** Before: both halves of the cap were allocated up front, 1 MiB here for a command that prints one line. */
    @Test
    void aShortOutputCostsWhatItPrintsNotTheCap() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        new BoundedOutput(1 << 20).write("warm".getBytes(StandardCharsets.UTF_8), 0, 4);
        long before = threads.getThreadAllocatedBytes(id);
        BoundedOutput o = new BoundedOutput(1 << 20);
        o.write("hello\n".getBytes(StandardCharsets.UTF_8), 0, 6);
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < 16 * 1024, allocated + " bytes allocated for a 6-byte output");
        assertEquals("hello\n", o.text());
    }

    @Test
    void growingByteByByteAcrossTheHeadAndIntoTheRingKeepsEveryByteItShould() {
        BoundedOutput o = new BoundedOutput(3000); // head 1500 (grown from 256), tail 1500
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            char c = (char) ('a' + i % 26);
            all.append(c);
            o.write(c);
            if (i == 1200) {
                assertEquals(all.toString(), o.text(), "still in the head");
            }
        }
        assertEquals(all.substring(0, 1500) + "\n[... 2000 bytes omitted ...]\n" + all.substring(3500), o.text());
    }
}
