package io.github.sshfleet.config;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The hosts file: tab-separated {@code hostname<TAB>address<TAB>username:password}, {@code #} comments, blank lines.
 * A bad line is skipped with a warning naming file:line; it never stops the server. Writes are atomic (temp file in
 * the same directory, then rename) and keep comments; the file is 0600 because it holds passwords.
 */
public final class HostsFile {

    /** Parsed machine lines and everything wrong with the file. */
    public record Parsed(List<HostEntry> entries, List<ConfigProblem> problems) {}

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private HostsFile() {}

    /** The one rule for machine names, shared by the hosts file and add_host. */
    /** A jump host name (or user@host[:port]), or a ProxyJump-style chain "a,b" (first hop first). */
    public static boolean isValidJump(String chain) {
        for (String hop : chain.split(",", -1)) {
            if (!isValidName(hop.strip())
                    && !hop.strip().matches("[A-Za-z_][A-Za-z0-9._-]{0,31}@[A-Za-z0-9.-]{1,253}" + "(:\\d{1,5})?")) {
                return false;
            }
        }
        return true;
    }

    public static boolean isValidName(String name) {
        return NAME.matcher(name).matches();
    }

    public static Parsed read(Path file, Path home) {
        List<ConfigProblem> problems = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Parsed(List.of(), List.of());
        } catch (IOException e) {
            problems.add(ConfigProblem.error(file.toString(), "cannot read hosts file: " + e.getMessage()));
            return new Parsed(List.of(), problems);
        }
        checkMode(file).ifPresent(problems::add);
        List<HostEntry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String where = file + ":" + (i + 1);
            // Only leading blanks and a CR are dropped: a password may end in a space.
            String raw = lines.get(i).stripLeading().replace("\r", "");
            if (raw.isBlank() || raw.startsWith("#")) {
                continue;
            }
            try {
                HostEntry e = parseLine(raw, i + 1, home, where, problems);
                if (!names.add(e.name().toLowerCase(Locale.ROOT))) {
                    problems.add(ConfigProblem.warning(
                            where, "machine '" + e.name() + "' is defined twice; this line is skipped"));
                    continue;
                }
                entries.add(e);
            } catch (IllegalArgumentException bad) {
                problems.add(ConfigProblem.warning(where, bad.getMessage() + "; line skipped"));
            }
        }
        return new Parsed(List.copyOf(entries), List.copyOf(problems));
    }

    /** Parses one non-comment line; throws IllegalArgumentException naming what is wrong (never the secret). */
    // Long on purpose: one case per hosts-file column key (key=, port=, jump=, group=, ...), each validated where it is
    // read.
    static HostEntry parseLine(String raw, int lineNo, Path home, String where, List<ConfigProblem> problems) {
        // Tab-separated as in the reference; a line without tabs is split on whitespace (hand-edited files).
        String[] f = raw.contains("\t") ? raw.split("\t+") : raw.split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException(
                    "expected hostname<TAB>address<TAB>username:password, found " + f.length + " field(s)");
        }
        String name = f[0].strip();
        if (!isValidName(name)) {
            throw new IllegalArgumentException(
                    "machine name '" + name + "' must be letters, digits, '.', '_' or '-' (at most 63)");
        }
        Address addr = Address.parse(f[1].strip());
        String cred = f[2];
        int colon = cred.indexOf(':'); // split at the first colon only: passwords may contain colons
        String user = colon < 0 ? cred.strip() : cred.substring(0, colon).strip();
        String password = colon < 0 ? null : cred.substring(colon + 1);
        if (user.isEmpty()) {
            throw new IllegalArgumentException("empty username");
        }
        String key = null;
        String cert = null;
        String proxy = null;
        String passphrase = null;
        String device = null;
        String enable = null;
        String jump = null;
        List<String> groups = new ArrayList<>();
        for (int i = 3; i < f.length; i++) {
            String opt = f[i].strip();
            int eq = opt.indexOf('=');
            if (eq <= 0) {
                // A bare word where only key=value options may follow: prose or a mangled line, never a machine.
                throw new IllegalArgumentException("field " + (i + 1) + " " + FleetException.quote(opt) + " is not an "
                        + "option (key=, cert=, passphrase=, jump=, proxy=, group=, device=, enable=)");
            }
            String k = opt.substring(0, eq);
            String v = opt.substring(eq + 1);
            switch (k) {
                case "key" -> key = ConfigLoader.expand(v.strip(), home).toString();
                case "cert" -> cert = ConfigLoader.expand(v.strip(), home).toString();
                case "proxy" -> {
                    String why = io.github.sshfleet.core.ProxyCommand.problem(v);
                    if (why != null) {
                        throw new IllegalArgumentException("proxy=: " + why);
                    }
                    proxy = v.strip();
                }
                case "passphrase" -> passphrase = v;
                case "device" -> {
                    if (!v.strip().equals("network")) {
                        throw new IllegalArgumentException("device= must be 'network', got '" + v + "'");
                    }
                    device = "network";
                }
                case "enable" -> enable = v; // empty: the login password is also the enable password
                case "group" -> {
                    for (String g : v.split(",")) {
                        if (!isValidName(g.strip())) {
                            throw new IllegalArgumentException("group= takes names like web or db-eu, comma-separated; "
                                    + "got " + FleetException.quote(v));
                        }
                        groups.add(g.strip());
                    }
                }
                case "jump" -> {
                    if (!isValidJump(v.strip())) {
                        throw new IllegalArgumentException(
                                "jump= must name another machine (or a chain a,b), got '" + v + "'");
                    }
                    jump = v.strip();
                }
                default -> problems.add(ConfigProblem.warning(where, "unknown option '" + k + "' ignored"));
            }
        }
        if (key != null && key.isEmpty()) {
            throw new IllegalArgumentException("key= needs a path");
        }
        if (key != null && !Files.isReadable(Path.of(key))) {
            // Kept as a machine (its connect says the same), but an error: it can never log in like this.
            problems.add(ConfigProblem.error(
                    where,
                    "key file " + key + " does not exist or is not readable; fix key="
                            + " on this line, then call reload_machines"));
        }
        if (proxy != null && jump != null) {
            throw new IllegalArgumentException("proxy= and jump= both say how to reach the machine: keep one");
        }
        if (cert != null && key == null) {
            throw new IllegalArgumentException("cert= is the certificate of a key: give key= as well");
        }
        if (cert != null && !Files.isReadable(Path.of(cert))) {
            problems.add(ConfigProblem.error(
                    where,
                    "certificate file " + cert + " does not exist or is not readable; fix cert="
                            + " on this line, then call reload_machines"));
        }
        // No password and no key: the password may come from the credential store (checked when machines are built).
        return new HostEntry(
                name,
                addr.host(),
                addr.port(),
                user,
                password == null || password.isEmpty() ? null : password,
                key,
                passphrase,
                device,
                enable,
                jump,
                lineNo,
                groups,
                cert,
                proxy);
    }

    private static java.util.Optional<ConfigProblem> checkMode(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                return java.util.Optional.of(ConfigProblem.warning(
                        file.toString(),
                        "hosts file is readable by group or others and holds passwords; run: chmod 600 " + file));
            }
        } catch (UnsupportedOperationException | IOException ignored) {
            // not a POSIX file system: nothing to check
        }
        return java.util.Optional.empty();
    }

    /**
     * Appends an entry, first dropping the lines {@code replace} matches (overwrite). Comments and other lines are
     * kept byte for byte. Atomic: readers see the old file or the new one.
     */
    public static void write(Path file, HostEntry entry, Predicate<HostEntry> replace, Path home) throws IOException {
        List<String> out = new ArrayList<>();
        List<String> existing = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        for (String line : existing) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                try {
                    if (replace.test(parseLine(s, 0, home, "", new ArrayList<>()))) {
                        continue;
                    }
                } catch (IllegalArgumentException keepBadLinesAsTheyAre) {
                    // not ours to fix
                }
            }
            out.add(line);
        }
        if (existing.isEmpty()) {
            out.add("# hostname\taddress[:port]\tusername:password\t[key=/path/to/key]");
        }
        out.add(entry.toLine());
        writeAtomically(file, String.join("\n", out) + "\n");
    }

    static void writeAtomically(Path file, String content) throws IOException {
        Path dir = PrivateFiles.parentDirectory(file);
        Path tmp = dir.resolve(
                "." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PrivateFiles.ownerOnly());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException("temporary file " + tmp + " is in the way", e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** host[:port], [v6]:port or a bare IPv6 address. */
    record Address(String host, int port) {
        static Address parse(String s) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("empty address");
            }
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("address '" + s + "' has '[' without ']'");
                }
                String host = s.substring(1, close);
                String rest = s.substring(close + 1);
                if (rest.isEmpty()) {
                    return new Address(host, 0);
                }
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("address '" + s + "': expected :port after ']'");
                }
                return new Address(host, port(rest.substring(1), s));
            }
            int first = s.indexOf(':');
            if (first >= 0 && first == s.lastIndexOf(':')) {
                return new Address(s.substring(0, first), port(s.substring(first + 1), s));
            }
            return new Address(s, 0); // no colon, or a bare IPv6 address
        }

        private static int port(String p, String whole) {
            try {
                int n = Integer.parseInt(p);
                if (n >= 1 && n <= 65535) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // below
            }
            throw new IllegalArgumentException("address '" + whole + "': port must be 1-65535");
        }
    }
}
