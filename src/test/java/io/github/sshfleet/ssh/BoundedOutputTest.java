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
        o.write(data, 0, 3);          // small writes
        o.write(data, 3, 20);         // one write larger than the tail
        o.write(data, 23, 3);         // wraps the ring
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
}
