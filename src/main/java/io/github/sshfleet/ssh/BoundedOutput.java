package io.github.sshfleet.ssh;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A sink that keeps the first and the last bytes of a stream of any length, and counts the rest. Memory stays at
 * {@code cap} bytes whether the command prints 1 KB or 50 GB, and grows with the output up to there: most commands
 * print a few lines, and allocating the whole cap for each stream of each call made these buffers a quarter of the
 * server's allocation (124 KB per exec). Written by MINA's I/O thread, read by the caller.
 */
public final class BoundedOutput extends OutputStream {

    private static final int FIRST_HEAD = 256;

    private final int headCap;
    private final int tailCap;
    private byte[] head;
    private byte[] tail; // the ring, made when the head is full
    private int headLen;
    private long tailWritten; // bytes ever written into the tail ring
    private long total;

    /** @param cap bytes kept in all: half from the start of the stream, half from its end */
    public BoundedOutput(int cap) {
        this.headCap = Math.max(1, cap / 2);
        this.tailCap = Math.max(1, cap - headCap);
        this.head = new byte[Math.min(headCap, FIRST_HEAD)];
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        total += len;
        int toHead = Math.min(len, headCap - headLen);
        if (headLen + toHead > head.length) {
            head = java.util.Arrays.copyOf(head, Math.min(headCap, Math.max(head.length * 2, headLen + toHead)));
        }
        System.arraycopy(b, off, head, headLen, toHead);
        headLen += toHead;
        off += toHead;
        len -= toHead;
        if (len == 0) {
            return;
        }
        if (tail == null) {
            tail = new byte[tailCap];
        }
        if (len >= tail.length) { // only the last tail.length bytes can survive
            off += len - tail.length;
            len = tail.length;
        }
        int pos = (int) (tailWritten % tail.length);
        int first = Math.min(len, tail.length - pos);
        System.arraycopy(b, off, tail, pos, first);
        System.arraycopy(b, off + first, tail, 0, len - first);
        tailWritten += len;
    }

    public synchronized long totalBytes() {
        return total;
    }

    public synchronized boolean truncated() {
        return total > headCap + tailCap;
    }

    /**
     * The text written after byte {@code offset} (an absolute position in the stream), as far as it was kept; an
     * omission marker stands for bytes that were dropped in between. Returns the text and the new offset.
     */
    public synchronized Since since(long offset) {
        long from = Math.max(0, Math.min(offset, total));
        int tailLen = (int) Math.min(tailWritten, tailCap);
        long tailStart = total - tailLen; // absolute position of the first kept tail byte
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        String gap = "";
        if (from < headLen) {
            b.write(head, (int) from, headLen - (int) from);
            from = headLen;
        }
        if (from < tailStart) {
            gap = "\n[... " + (tailStart - from) + " bytes omitted ...]\n";
            from = tailStart;
        }
        byte[] tailBytes = tailBytes(tailLen);
        int skip = (int) (from - tailStart);
        String before = decode(b.toByteArray());
        String after = skip < tailLen ? decode(java.util.Arrays.copyOfRange(tailBytes, skip, tailLen)) : "";
        return new Since(before + gap + after, total);
    }

    /** New text since an offset, and the offset to pass next time. */
    public record Since(String text, long nextOffset) {}

    /** The last non-empty line written so far (for progress messages), at most 200 characters. */
    public synchronized String lastLine() {
        String t = since(Math.max(0, total - 4096)).text();
        String[] lines = t.strip().split("\n");
        String last = lines.length == 0 ? "" : lines[lines.length - 1].strip();
        return last.length() > 200 ? last.substring(0, 200) + "..." : last;
    }

    /** The kept text: head, an explicit omission marker when anything was dropped, tail. Invalid UTF-8 is replaced. */
    public synchronized String text() {
        int tailLen = (int) Math.min(tailWritten, tailCap);
        byte[] tailBytes = tailBytes(tailLen);
        long omitted = total - headLen - tailLen;
        if (omitted <= 0) {
            byte[] all = new byte[headLen + tailLen];
            System.arraycopy(head, 0, all, 0, headLen);
            System.arraycopy(tailBytes, 0, all, headLen, tailLen);
            return decode(all);
        }
        return decode(java.util.Arrays.copyOf(head, headLen)) + "\n[... " + omitted + " bytes omitted ...]\n"
                + decode(tailBytes);
    }

    /** The last {@code tailLen} bytes of the ring, in order. */
    private byte[] tailBytes(int tailLen) {
        byte[] out = new byte[tailLen];
        if (tailLen > 0) {
            int start = (int) ((tailWritten - tailLen) % tail.length);
            int first = Math.min(tailLen, tail.length - start);
            System.arraycopy(tail, start, out, 0, first);
            System.arraycopy(tail, 0, out, first, tailLen - first);
        }
        return out;
    }

    static String decode(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            return d.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return new String(bytes, StandardCharsets.UTF_8); // unreachable with REPLACE, but never throw here
        }
    }
}
