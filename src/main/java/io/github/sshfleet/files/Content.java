package io.github.sshfleet.files;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Decides whether bytes are text the model can read, and names common binary formats by their magic bytes. */
final class Content {

    private Content() {}

    /**
     * Text means valid UTF-8 without NUL bytes. {@code cut} says the bytes were cut off at an arbitrary offset, so a
     * multi-byte character split at either end is not evidence of binary data.
     */
    static boolean isText(byte[] b, int len, boolean cut) {
        for (int i = 0; i < len; i++) {
            if (b[i] == 0) {
                return false;
            }
        }
        int start = 0;
        int end = len;
        if (cut) {
            while (start < Math.min(3, len) && (b[start] & 0xC0) == 0x80) {
                start++; // continuation bytes of a character that began before the offset
            }
            end = charBoundary(b, len);
        }
        CharsetDecoder d = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            d.decode(ByteBuffer.wrap(b, start, end - start));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** The largest length {@code <= len} that does not split a UTF-8 character. */
    static int charBoundary(byte[] b, int len) {
        for (int back = 1; back <= Math.min(4, len); back++) {
            int lead = b[len - back] & 0xFF;
            if ((lead & 0xC0) == 0x80) {
                continue; // continuation byte: keep looking for the lead byte
            }
            int need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            return need > back ? len - back : len;
        }
        return len;
    }

    static String decode(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.UTF_8);
    }

    /** A short name for the format, from the first bytes of the file; "binary data" when unknown. */
    static String guessType(byte[] b, int len) {
        if (starts(b, len, 0x7F, 'E', 'L', 'F')) {
            return "ELF executable or library";
        }
        if (starts(b, len, 0x1F, 0x8B)) {
            return "gzip compressed data";
        }
        if (starts(b, len, 'P', 'K', 3, 4)) {
            return "zip archive (or jar/docx)";
        }
        if (starts(b, len, 0x89, 'P', 'N', 'G')) {
            return "PNG image";
        }
        if (starts(b, len, 0xFF, 0xD8, 0xFF)) {
            return "JPEG image";
        }
        if (starts(b, len, 'G', 'I', 'F', '8')) {
            return "GIF image";
        }
        if (starts(b, len, '%', 'P', 'D', 'F')) {
            return "PDF document";
        }
        if (starts(b, len, 0xFD, '7', 'z', 'X', 'Z')) {
            return "xz compressed data";
        }
        if (starts(b, len, 'B', 'Z', 'h')) {
            return "bzip2 compressed data";
        }
        if (starts(b, len, 0x28, 0xB5, 0x2F, 0xFD)) {
            return "zstd compressed data";
        }
        if (starts(b, len, 0xCA, 0xFE, 0xBA, 0xBE)) {
            return "Java class file";
        }
        if (starts(b, len, 'S', 'Q', 'L', 'i', 't', 'e')) {
            return "SQLite database";
        }
        if (len > 262 && b[257] == 'u' && b[258] == 's' && b[259] == 't' && b[260] == 'a' && b[261] == 'r') {
            return "tar archive";
        }
        return "binary data";
    }

    private static boolean starts(byte[] b, int len, int... magic) {
        if (len < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
