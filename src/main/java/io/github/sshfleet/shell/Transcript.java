package io.github.sshfleet.shell;

import io.github.sshfleet.core.PrivateFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an agent did in one shell, for the person watching ({@code tail -f}): each command, its output as the
 * agent saw it, exit code and cwd. Mode 0600 in a 0700 directory; capped in size. The sudo password never gets
 * here: it is only ever written to sudo, never recorded.
 */
final class Transcript implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Transcript.class);
    static final long CAP_BYTES = 10L * 1024 * 1024;

    private final Path path;
    private OutputStream out;
    private long written;
    private boolean capped;

    private Transcript(Path path, OutputStream out) {
        this.path = path;
        this.out = out;
    }

    /** Creates the transcript file; on failure the shell still works, without a transcript (logged). */
    static Transcript create(Path dir, String shellId, String header) {
        try {
            PrivateFiles.directory(dir);
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            Path p = dir.resolve(shellId + "-" + stamp + ".log");
            Files.deleteIfExists(p);
            Files.createFile(p, PrivateFiles.ownerOnly());
            Transcript t = new Transcript(p, Files.newOutputStream(p, StandardOpenOption.APPEND));
            t.append(header + "\n");
            return t;
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("no transcript for {}: {}", shellId, e.toString());
            return new Transcript(null, null);
        }
    }

    Path path() {
        return path;
    }

    synchronized void record(String command, String output, String status) {
        StringBuilder sb = new StringBuilder();
        command.lines().forEach(l -> sb.append("$ ").append(l).append('\n'));
        sb.append(output);
        if (!output.isEmpty() && !output.endsWith("\n")) {
            sb.append('\n');
        }
        sb.append("[").append(status).append("]\n");
        append(sb.toString());
    }

    synchronized void note(String text) {
        append("[" + text + "]\n");
    }

    private void append(String text) {
        if (out == null || capped) {
            return;
        }
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        try {
            if (written + b.length > CAP_BYTES) {
                capped = true;
                b = ("[transcript reached " + CAP_BYTES / (1024 * 1024) + " MiB; nothing more is recorded]\n")
                        .getBytes(StandardCharsets.UTF_8);
            }
            out.write(b);
            out.flush();
            written += b.length;
        } catch (IOException e) {
            log.warn("transcript {} write failed: {}", path, e.toString());
            capped = true;
        }
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // nothing more to record
            }
            out = null;
        }
    }
}
