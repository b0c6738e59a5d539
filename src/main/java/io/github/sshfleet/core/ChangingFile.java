package io.github.sshfleet.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * What one file parses to, parsed again only when the file changed: its modification time, size or inode (an atomic
 * rename over it) differs from the last parse. For files read on every connect (known_hosts, a revocation list) that
 * an operator or another tool may rewrite at any time, so a change is seen on the next connect without a re-parse on
 * every one.
 */
public final class ChangingFile<T> {

    /** Reads and parses the file; an exception leaves the previous value unused and is thrown again next time. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(Path file) throws IOException;
    }

    private final Path file;
    private final Parser<T> parser;
    private List<Object> stamp;
    private T value;

    public ChangingFile(Path file, Parser<T> parser) {
        this.file = file;
        this.parser = parser;
    }

    public Path file() {
        return file;
    }

    /** The parsed contents as the file is now; NoSuchFileException when it does not exist. */
    public synchronized T get() throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        List<Object> now = List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
        if (!now.equals(stamp)) {
            stamp = null; // a failed parse must not leave the old value standing for the new file
            value = parser.parse(file);
            stamp = now;
        }
        return value;
    }
}
