package io.github.sshfleet.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checks the audit chain ({@code java -jar ssh-fleet.jar audit verify [FILE|DIR]}): every line must be JSON whose
 * {@code prev} is the sha256 of the line before it. A directory is checked across its files in date order; a single
 * file from its own first line (whose predecessor is in the file before, so only its form is checked).
 */
public final class AuditVerifier {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code broken}: null when the chain holds; else the first line that does not, and why. */
    public record Report(int files, long lines, String broken) {
        public boolean ok() {
            return broken == null;
        }
    }

    /** Where a new line continues the chain: the last line's hash and the number of lines so far. */
    record Head(String hash, long lines) {}

    private AuditVerifier() {}

    public static Report verify(Path fileOrDir) throws IOException {
        List<Path> files = Files.isDirectory(fileOrDir) ? files(fileOrDir) : List.of(fileOrDir);
        String prev = Files.isDirectory(fileOrDir) ? AuditLog.GENESIS : null; // null: take the first line's word
        long lines = 0;
        for (Path f : files) {
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                int n = 0;
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    n++;
                    lines++;
                    String where = f.getFileName() + " line " + n;
                    JsonNode node;
                    try {
                        node = JSON.readTree(line);
                    } catch (IOException e) {
                        return new Report(files.size(), lines, where + " is not a JSON line");
                    }
                    JsonNode p = node == null ? null : node.get("prev");
                    if (p == null || !p.isTextual() || p.asText().length() != 64) {
                        return new Report(files.size(), lines, where + " has no prev hash");
                    }
                    if (prev != null && !prev.equals(p.asText())) {
                        return new Report(
                                files.size(),
                                lines,
                                where + " does not follow the line before it (that line was changed or removed, or "
                                        + "this one was inserted)");
                    }
                    prev = sha256(line);
                }
            }
        }
        return new Report(files.size(), lines, null);
    }

    /**
     * Where the writer goes on: the hash and seq of the newest non-empty file's last line, read from the file's tail
     * only, so a long history costs nothing per line.
     */
    static Head head(Path dir, Path today) throws IOException {
        if (Files.isRegularFile(today) && Files.size(today) > 0) {
            return headOf(today); // the common case: no directory listing per line
        }
        List<Path> all = files(dir);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (Files.size(all.get(i)) > 0) {
                return headOf(all.get(i));
            }
        }
        return new Head(AuditLog.GENESIS, 0);
    }

    private static Head headOf(Path file) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            String last = lastLine(ch, 8 * 1024);
            if (last == null) {
                last = lastLine(ch, 1024 * 1024); // a long line (a wide fan-out's hosts)
            }
            if (last == null || last.isEmpty()) {
                return new Head(AuditLog.GENESIS, 0);
            }
            long seq = 0;
            try {
                JsonNode n = JSON.readTree(last);
                seq = n != null && n.has("seq") ? n.get("seq").asLong() : 0;
            } catch (IOException e) {
                // a torn last line: the chain goes on from its bytes, and verify reports it
            }
            return new Head(sha256(last), seq);
        }
    }

    /** The file's last line (without its newline), or null when it does not start within the last {@code window}. */
    private static String lastLine(java.nio.channels.FileChannel ch, int window) throws IOException {
        long size = ch.size();
        int n = (int) Math.min(size, window);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(n);
        while (buf.hasRemaining() && ch.read(buf, size - n + buf.position()) > 0) {
            // until the window is read
        }
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        int nl = body.lastIndexOf('\n');
        if (nl < 0) {
            return n == size ? body : null; // the whole file is one line, or the window is too short
        }
        return body.substring(nl + 1);
    }

    static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().matches("audit-\\d{4}-\\d{2}-\\d{2}\\.jsonl"))
                    .sorted()
                    .forEach(out::add);
        }
        return out;
    }

    static String sha256(String text) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(d.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
