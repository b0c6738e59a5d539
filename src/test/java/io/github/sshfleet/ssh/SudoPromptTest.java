package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** sudo's prompt watcher fed one byte at a time, as a slow link delivers stderr: no split marker is missed. */
class SudoPromptTest {

    static final class Stdin extends ByteArrayOutputStream {
        boolean closed;

        @Override
        public void close() {
            closed = true;
        }
    }

    final ByteArrayOutputStream downstream = new ByteArrayOutputStream();
    final Stdin stdin = new Stdin();
    final AtomicInteger aborts = new AtomicInteger();

    Sudo sudo(String password) {
        return new Sudo(password, "web-1", downstream, Runnable::run, aborts::incrementAndGet);
    }

    static String marker(Sudo s, String kind) {
        Matcher m = Pattern.compile("\\[ssh-fleet-" + kind + "-[^\\]]+\\]").matcher(s.wrap("true", true));
        assertTrue(m.find(), kind + " marker in the wrapper");
        return m.group();
    }

    static void byteByByte(Sudo s, String text) throws Exception {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            s.write(b);
        }
    }

    @Test
    void thePasswordGoesOnceOnlyAfterThePromptAndNothingOfSudosTalkReachesTheOutput() throws Exception {
        Sudo s = sudo("pw-123");
        s.attach(stdin);
        byteByByte(s, "We trust you have received the usual lecture.\n");
        assertEquals(0, stdin.size(), "no prompt yet: nothing sent");
        byteByByte(s, marker(s, "sudo"));
        assertEquals("pw-123\n", stdin.toString(StandardCharsets.UTF_8));
        byteByByte(s, "\n" + marker(s, "ready") + "\nreal stderr\n");
        assertTrue(s.ready());
        assertTrue(stdin.closed, "stdin closed once the command starts: it never sees our secret");
        assertEquals("real stderr\n", downstream.toString(StandardCharsets.UTF_8));
        assertNull(s.failure());
        assertEquals(0, aborts.get());
    }

    @Test
    void aNopasswdHostNeverGetsThePassword() throws Exception {
        Sudo s = sudo("pw-123");
        s.attach(stdin);
        byteByByte(s, marker(s, "ready") + "\nout\n");
        assertEquals(0, stdin.size());
        assertEquals("out\n", downstream.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aSecondPromptIsAWrongPasswordAndAbortsAtOnce() throws Exception {
        Sudo s = sudo("wrong");
        s.attach(stdin);
        byteByByte(s, marker(s, "sudo") + "Sorry, try again.\n" + marker(s, "sudo"));
        assertEquals("wrong\n", stdin.toString(StandardCharsets.UTF_8), "sent once, not again");
        assertTrue(s.failure().contains("rejected the password"), s.failure());
        assertEquals(1, aborts.get());
        assertFalse(s.ready());
    }

    @Test
    void aPromptBeforeStdinIsAttachedIsAnsweredWhenItIs() throws Exception {
        Sudo s = sudo("pw-123");
        byteByByte(s, marker(s, "sudo"));
        assertEquals(0, stdin.size());
        s.attach(stdin);
        assertEquals("pw-123\n", stdin.toString(StandardCharsets.UTF_8));
    }
}
