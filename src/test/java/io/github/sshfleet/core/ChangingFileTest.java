package io.github.sshfleet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file read on every connect is parsed once per change: not again while it is unchanged, again after an edit in
 * place and after an atomic rename of a same-size file over it; a parse that failed is not remembered as a value.
 */
class ChangingFileTest {

    @TempDir
    Path dir;

    @Test
    void parsesOncePerChangeAndNeverKeepsAFailedParse() throws Exception {
        Path f = Files.writeString(dir.resolve("list"), "one");
        AtomicInteger parses = new AtomicInteger();
        ChangingFile<String> file = new ChangingFile<>(f, p -> {
            parses.incrementAndGet();
            String s = Files.readString(p);
            if (s.equals("bad")) {
                throw new IOException("unparsable");
            }
            return s;
        });
        assertEquals("one", file.get());
        assertEquals("one", file.get());
        assertEquals(1, parses.get(), "unchanged: not parsed again");

        Files.writeString(f, "three");
        assertEquals("three", file.get(), "edited in place: a new size");

        Path next = Files.writeString(dir.resolve("next"), "tres!");
        Files.setLastModifiedTime(next, Files.getLastModifiedTime(f));
        Files.move(next, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertEquals("tres!", file.get(), "same size and time, another inode");

        Files.writeString(f, "bad");
        assertThrows(IOException.class, file::get);
        assertThrows(IOException.class, file::get, "the failure is not cached as a value");
        Files.delete(f);
        assertThrows(NoSuchFileException.class, file::get);
    }
}
