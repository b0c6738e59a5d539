package io.github.sshfleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One collection per quiet spell after activity, never while calls come in, never on a server that had none. */
class IdleTrimTest {

    @Test
    void collectsOnceAfterQuietAndAgainOnlyAfterTheNextCall() {
        AtomicLong now = new AtomicLong();
        AtomicInteger collections = new AtomicInteger();
        IdleTrim t = new IdleTrim(now::get, collections::incrementAndGet);
        long quiet = IdleTrim.QUIET.toNanos();

        now.addAndGet(quiet * 3);
        assertFalse(t.tick(), "no call yet: nothing to give back");

        t.touched();
        now.addAndGet(quiet - 1);
        assertFalse(t.tick(), "not quiet long enough");
        t.touched(); // a call resets the quiet spell
        now.addAndGet(quiet - 1);
        assertFalse(t.tick());
        now.addAndGet(1);
        assertTrue(t.tick());
        now.addAndGet(quiet * 10);
        assertFalse(t.tick(), "once per quiet spell");
        assertEquals(1, collections.get());

        t.touched();
        now.addAndGet(quiet);
        assertTrue(t.tick());
        assertEquals(2, collections.get());
    }
}
