package io.github.sshfleet.ssh;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A sink that keeps the first and the last bytes of a stream of any length, and counts the rest. Memory stays at
 * {@code cap} bytes whether the command prints 1 KB or 50 GB. Written by MINA's I/O thread, read by the caller.
 */
public final class BoundedOutput extends OutputStream {

    private final byte[] head;
    private final byte[] tail;
    private int headLen;
    private long tailWritten; // bytes ever written into the tail ring
    private long total;

    /** @param cap bytes kept in all: half from the start of the stream, half from its end */
    public BoundedOutput(int cap) {
        int half = Math.max(1, cap / 2);
        this.head = new byte[half];
        this.tail = new byte[Math.max(1, cap - half)];
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        total += len;
        int toHead = Math.min(len, head.length - headLen);
        System.arraycopy(b, off, head, headLen, toHead);
        headLen += toHead;
        off += toHead;
        len -= toHead;
        if (len == 0) {
            return;
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
        return total > head.length + tail.length;
    }

    /**
     * The text written after byte {@code offset} (an absolute position in the stream), as far as it was kept; an
     * omission marker stands for bytes that were dropped in between. Returns the text and the new offset.
     */
    public synchronized Since since(long offset) {
        long from = Math.max(0, Math.min(offset, total));
        int tailLen = (int) Math.min(tailWritten, tail.length);
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
        byte[] tailBytes = new byte[tailLen];
        int start = (int) ((tailWritten - tailLen) % tail.length);
        int first = Math.min(tailLen, tail.length - start);
        System.arraycopy(tail, start, tailBytes, 0, first);
        System.arraycopy(tail, 0, tailBytes, first, tailLen - first);
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
        int tailLen = (int) Math.min(tailWritten, tail.length);
        byte[] tailBytes = new byte[tailLen];
        int start = (int) ((tailWritten - tailLen) % tail.length);
        int first = Math.min(tailLen, tail.length - start);
        System.arraycopy(tail, start, tailBytes, 0, first);
        System.arraycopy(tail, 0, tailBytes, first, tailLen - first);
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
