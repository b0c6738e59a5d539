package io.github.sshfleet.files;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The local side of a transfer. {@code ~} is the server's home; a relative path resolves against local_root when
 * one is configured, else against the server's working directory (for Claude Code and Codex: the project the client
 * was started in). With local_root set, nothing outside it is reachable, symlinks included.
 */
public final class LocalPaths {

    private final Path home;
    private final Optional<Path> root;
    private final Path workingDir;

    public LocalPaths(Path home, Optional<Path> root, Path workingDir) {
        this.home = home;
        this.root = root;
        this.workingDir = workingDir;
    }

    /** The absolute, normalized local path for {@code raw}; refused when it leaves local_root. */
    public Path resolve(String raw, String argName) {
        String s = raw.strip();
        if (s.isEmpty()) {
            throw FleetException.badArgument("'" + argName + "' is empty.");
        }
        Path p;
        try {
            if (s.equals("~")) {
                p = home;
            } else if (s.startsWith("~/")) {
                p = home.resolve(s.substring(2));
            } else {
                p = Path.of(s);
                if (!p.isAbsolute()) {
                    p = root.orElse(workingDir).resolve(p);
                }
            }
        } catch (InvalidPathException e) {
            throw FleetException.badArgument("'" + argName + "' is not a valid local path: " + e.getMessage());
        }
        p = p.toAbsolutePath().normalize();
        if (root.isPresent()) {
            confine(p, argName);
        }
        return p;
    }

    private void confine(Path p, String argName) {
        Path r = root.get();
        Path realRoot;
        try {
            realRoot = r.toRealPath();
        } catch (IOException e) {
            throw new FleetException(
                    Kind.NOT_FOUND,
                    "local_root " + r + " (config.yaml) does not exist; create it " + "or change local_root.");
        }
        // The deepest part that exists decides where symlinks really lead.
        Path existing = p;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        Path real;
        try {
            real = existing == null
                    ? p
                    : existing.toRealPath().resolve(existing.relativize(p)).normalize();
        } catch (IOException e) {
            throw new FleetException(Kind.IO, "cannot resolve local path " + p + ": " + e.getMessage());
        }
        if (!p.startsWith(r) || !real.startsWith(realRoot)) {
            throw new FleetException(
                    Kind.PERMISSION,
                    "'" + argName + "' " + p + " is outside local_root " + r
                            + " (config.yaml); transfers may only use files under it. Use a path inside " + r + ".");
        }
    }
}
