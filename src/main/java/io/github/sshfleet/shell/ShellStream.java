package io.github.sshfleet.shell;

import io.github.sshfleet.core.Deadline;
import io.github.sshfleet.ssh.BoundedOutput;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Everything the shell's PTY prints, as MINA's I/O thread delivers it. Between commands the bytes collect in a
 * small "idle" buffer that start-up and recovery search for their markers. During a command a {@link Capture}
 * takes them: it skips to the command's unique begin marker, keeps the output (bounded) until the end marker, and
 * reads the exit code and cwd that follow. Markers are found across chunk boundaries.
 */
final class ShellStream extends OutputStream {

    private static final int IDLE_CAP = 64 * 1024;

    private final ByteArrayOutputStream idle = new ByteArrayOutputStream();
    private int scanFrom;
    private Capture capture;
    private boolean closed;

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        if (capture != null && !capture.done()) {
            byte[] leftover = capture.feed(b, off, len);
            if (capture.done()) {
                appendIdle(leftover, 0, leftover.length);
            }
        } else {
            appendIdle(b, off, len);
        }
        notifyAll();
    }

    private void appendIdle(byte[] b, int off, int len) {
        if (idle.size() + len > IDLE_CAP) { // keep the newest bytes; markers are always near the end
            byte[] all = idle.toByteArray();
            int keep = Math.max(0, IDLE_CAP / 2 - len);
            idle.reset();
            idle.write(all, all.length - Math.min(keep, all.length), Math.min(keep, all.length));
            scanFrom = 0;
        }
        idle.write(b, off, Math.min(len, IDLE_CAP));
    }

    /** The shell's channel closed: wake every waiter. */
    synchronized void markClosed() {
        closed = true;
        notifyAll();
    }

    synchronized boolean closed() {
        return closed;
    }

    /**
     * Waits until one of {@code needles} appears in the idle bytes (past anything already matched); returns its
     * index, -1 on deadline, -2 when the channel closed.
     */
    synchronized int await(Deadline deadline, String... needles) throws InterruptedException {
        while (true) {
            String text = idle.toString(StandardCharsets.ISO_8859_1);
            int best = -1;
            int at = Integer.MAX_VALUE;
            for (int i = 0; i < needles.length; i++) {
                int p = text.indexOf(needles[i], scanFrom);
                if (p >= 0 && p < at) {
                    at = p;
                    best = i;
                }
            }
            if (best >= 0) {
                scanFrom = at + needles[best].length();
                return best;
            }
            if (closed) {
                return -2;
            }
            long left = deadline.remainingMillis();
            if (left <= 0) {
                return -1;
            }
            wait(left);
        }
    }

    /** What the shell printed outside commands (start-up errors such as "not in the sudoers file"). */
    synchronized String idleText() {
        return idle.toString(StandardCharsets.UTF_8);
    }

    synchronized void clearIdle() {
        idle.reset();
        scanFrom = 0;
    }

    synchronized void begin(Capture c) {
        clearIdle();
        capture = c;
    }

    /** Waits for the capture to finish; false on deadline or when the channel closed first. */
    synchronized boolean awaitDone(Capture c, Deadline deadline) throws InterruptedException {
        while (!c.done() && !closed) {
            long left = deadline.remainingMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return c.done();
    }

    /** Stops capturing; output held back by an unfinished capture is flushed into it first. */
    synchronized void abandon() {
        if (capture != null && !capture.done()) {
            capture.flushPartial();
        }
        capture = null;
    }

    /** One command's output between its markers. */
    static final class Capture {
        private final byte[] begin;
        private final byte[] end;
        private final BoundedOutput out;
        private byte[] carry = new byte[0];
        private int state; // 0: before begin marker, 1: body, 2: trailer, 3: done
        private Integer exitCode;
        private String cwd;

        Capture(String beginMarker, String endMarker, BoundedOutput out) {
            this.begin = beginMarker.getBytes(StandardCharsets.US_ASCII);
            this.end = endMarker.getBytes(StandardCharsets.US_ASCII);
            this.out = out;
        }

        boolean done() {
            return state == 3;
        }

        Integer exitCode() {
            return exitCode;
        }

        String cwd() {
            return cwd;
        }

        BoundedOutput output() {
            return out;
        }

        /** Consumes bytes; once done, returns whatever followed the trailer (else an empty array). */
        byte[] feed(byte[] b, int off, int len) {
            byte[] buf = new byte[carry.length + len];
            System.arraycopy(carry, 0, buf, 0, carry.length);
            System.arraycopy(b, off, buf, carry.length, len);
            int pos = 0;
            while (true) {
                if (state == 0) {
                    int m = indexOf(buf, begin, pos);
                    int nl = m < 0 ? -1 : indexOf(buf, new byte[] {'\n'}, m + begin.length);
                    if (nl < 0) {
                        // keep just enough to find a marker split across chunks
                        pos = Math.max(pos, buf.length - begin.length - 2);
                        break;
                    }
                    pos = nl + 1;
                    state = 1;
                } else if (state == 1) {
                    int m = indexOf(buf, end, pos);
                    if (m < 0) {
                        // hold back a possible partial marker and the newline that precedes every end marker
                        int safe = Math.max(pos, buf.length - end.length);
                        out.write(buf, pos, safe - pos);
                        pos = safe;
                        break;
                    }
                    int bodyEnd = m > pos && buf[m - 1] == '\n' ? m - 1 : m; // that newline is ours, not the output's
                    out.write(buf, pos, bodyEnd - pos);
                    pos = m + end.length;
                    state = 2;
                } else if (state == 2) {
                    int nl = indexOf(buf, new byte[] {'\n'}, pos);
                    if (nl < 0) {
                        break;
                    }
                    parseTrailer(new String(buf, pos, nl - pos, StandardCharsets.UTF_8));
                    pos = nl + 1;
                    state = 3;
                    carry = new byte[0];
                    byte[] rest = new byte[buf.length - pos];
                    System.arraycopy(buf, pos, rest, 0, rest.length);
                    return rest;
                }
            }
            carry = new byte[buf.length - pos];
            System.arraycopy(buf, pos, carry, 0, carry.length);
            return new byte[0];
        }

        /** On a timeout: what was held back (in case it began a marker) is output after all. */
        void flushPartial() {
            if (state == 1 && carry.length > 0) {
                out.write(carry, 0, carry.length);
                carry = new byte[0];
            }
        }

        /** " <exit code> <cwd>" as printed by the end marker line. */
        private void parseTrailer(String t) {
            String s = t.replace("\r", "").strip();
            int sp = s.indexOf(' ');
            String code = sp < 0 ? s : s.substring(0, sp);
            try {
                exitCode = Integer.parseInt(code);
            } catch (NumberFormatException e) {
                exitCode = null;
            }
            cwd = sp < 0 ? null : s.substring(sp + 1);
        }

        static int indexOf(byte[] hay, byte[] needle, int from) {
            outer:
            for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (hay[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
