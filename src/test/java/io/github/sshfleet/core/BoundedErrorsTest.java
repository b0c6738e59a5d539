package io.github.sshfleet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad input stays small in errors; known secrets never show. */
class BoundedErrorsTest {

    @Test
    void aQuotedValueIsAShortPrefixWithItsLength() {
        assertEquals("'web-1'", FleetException.quote("web-1"));
        String q = FleetException.quote("x".repeat(10_000_000));
        assertTrue(q.length() < 100, q);
        assertTrue(q.endsWith("(10000000 characters)"), q);
    }

    @Test
    void anyMessageIsBoundedWhateverItQuotes() {
        String huge = "unknown host '" + "a".repeat(10 << 20) + "'; known: web-1, web-2";
        String b = FleetException.bounded(huge);
        assertTrue(b.length() < 300, b);
        assertTrue(b.startsWith("unknown host 'aaaa"), b);
        assertTrue(b.endsWith("known: web-1, web-2"), b);
        String spaced = "bad: " + "word ".repeat(1 << 20);
        String c = FleetException.bounded(spaced);
        assertTrue(c.length() < FleetException.MESSAGE_MAX + 100, "length " + c.length());
        assertTrue(c.contains("more characters of this message omitted"), c.substring(c.length() - 80));
        String ordinary = "cannot reach web-1 (10.0.0.1:22): connection refused. Check /home/u/.ssh-fleet/hosts.tsv:3.";
        assertEquals(ordinary, FleetException.bounded(ordinary));
    }

    @Test
    void everyKnownSecretIsMaskedLongestFirst() {
        Secrets.register(List.of("hunter2-lab1", "hunter2-lab1-longer", "abc")); // "abc": too short to mask
        assertEquals("a ******** b ******** c abc", Secrets.mask("a hunter2-lab1 b hunter2-lab1-longer c abc"));
        assertEquals("env ********", Secrets.mask("env own-secret-value", List.of("own-secret-value")));
        assertFalse(Secrets.mask("x hunter2-lab1-longer").contains("longer"));
    }
}
