package io.github.sshfleet.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.ssh.BoundedOutput;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The marker parser of persistent shells, fed one byte at a time and in random chunks: the same result either way. */
class CaptureTest {

    static final String BEGIN = "__SF_B_1234abcd";
    static final String END = "__SF_E_1234abcd";
    static final String STREAM = "echo typed-command-echo\n" + BEGIN + "\n"
            + "hello\nlooks like __SF_E_ but is not " + END.substring(0, 10) + "\n"
            + "\n" + END + " 3 /tmp/some dir\n" + "prompt$ ";

    static ShellStream.Capture capture() {
        return new ShellStream.Capture(BEGIN, END, new BoundedOutput(1 << 16));
    }

    static void check(ShellStream.Capture c, String rest) {
        assertTrue(c.done());
        assertEquals(
                "hello\nlooks like __SF_E_ but is not " + END.substring(0, 10) + "\n",
                c.output().text());
        assertEquals(3, c.exitCode());
        assertEquals("/tmp/some dir", c.cwd());
        assertEquals("prompt$ ", rest);
    }

    @Test
    void oneByteAtATime() {
        ShellStream.Capture c = capture();
        byte[] all = STREAM.getBytes(StandardCharsets.UTF_8);
        StringBuilder rest = new StringBuilder();
        for (int i = 0; i < all.length; i++) {
            if (c.done()) {
                rest.append((char) all[i]);
                continue;
            }
            byte[] after = c.feed(all, i, 1);
            rest.append(new String(after, StandardCharsets.UTF_8));
        }
        check(c, rest.toString());
    }

    @Test
    void randomChunksGiveTheSameResult() {
        Random random = new Random(42);
        byte[] all = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 200; round++) {
            ShellStream.Capture c = capture();
            StringBuilder rest = new StringBuilder();
            int i = 0;
            while (i < all.length) {
                int n = Math.min(all.length - i, 1 + random.nextInt(20));
                if (c.done()) {
                    rest.append(new String(all, i, n, StandardCharsets.UTF_8));
                } else {
                    rest.append(new String(c.feed(all, i, n), StandardCharsets.UTF_8));
                }
                i += n;
            }
            check(c, rest.toString());
        }
    }

    @Test
    void aTimeoutFlushesWhatWasHeldBackForAPossibleMarker() {
        ShellStream.Capture c = capture();
        byte[] part = (BEGIN + "\npartial output __SF_E_1234").getBytes(StandardCharsets.UTF_8);
        c.feed(part, 0, part.length);
        assertFalse(c.done());
        c.flushPartial();
        assertEquals("partial output __SF_E_1234", c.output().text());
    }
}
