package io.github.sshfleet.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * How ssh-fleet creates its local files (hosts file, known_hosts, credentials, transcripts, screenshots, class-data
 * archive): directories 0700, files 0600, with the mode given at creation so there is no moment of a wider one.
 */
public final class PrivateFiles {

    private PrivateFiles() {}

    /** Creates {@code dir} and missing parents 0700; an existing directory is left as the operator made it. */
    public static Path directory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        return dir;
    }

    /**
     * The directory a file goes in, created 0700 if missing. A path with no parent (the file-system root) is refused:
     * every caller names a file.
     */
    public static Path parentDirectory(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null) {
            throw new IOException(file + " is not a file path");
        }
        return directory(dir);
    }

    /** rw------- at creation, for Files.createFile / createTempFile. */
    public static FileAttribute<Set<PosixFilePermission>> ownerOnly() {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    }
}
