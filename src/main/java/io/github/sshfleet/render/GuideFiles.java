package io.github.sshfleet.render;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.core.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Pattern;

/** Where screenshots go: guide_output_dir (0700), names from the command or output_name, never outside it. */
final class GuideFiles {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final Path dir;

    GuideFiles(Path dir) {
        this.dir = dir;
    }

    /** The file for this render: output_name (an extension matching the format is allowed) or slug + timestamp. */
    Path target(String outputName, String command, String ext) {
        String base;
        if (outputName != null && !outputName.isBlank()) {
            String n = outputName.strip();
            if (n.toLowerCase(Locale.ROOT).endsWith("." + ext)) {
                n = n.substring(0, n.length() - ext.length() - 1);
            }
            if (!NAME.matcher(n).matches() || n.contains("..")) {
                throw FleetException.badArgument(
                        "output_name must be a plain file name (letters, digits, . _ -; no " + "'/' or '..'), got "
                                + FleetException.quote(outputName) + ". Images always go to " + dir + ".");
            }
            base = n;
        } else {
            base = slug(command) + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
        }
        return dir.resolve(base + "." + ext);
    }

    static String slug(String command) {
        String s =
                command.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > 40) {
            s = s.substring(0, 40).replaceAll("-+$", "");
        }
        return s.isEmpty() ? "output" : s;
    }

    /** Writes atomically (temp file + rename) with mode 0600, creating the directory 0700 when missing. */
    void write(Path target, byte[] bytes) {
        try {
            PrivateFiles.directory(dir);
            Path tmp = Files.createTempFile(dir, ".render-", ".tmp", PrivateFiles.ownerOnly());
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new FleetException(
                    Kind.IO,
                    "cannot write the image to " + dir + ": " + e.getMessage()
                            + ". Check that guide_output_dir (config.yaml) is a writable directory.",
                    e);
        }
    }
}
