package io.github.sshfleet.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Machines from an OpenSSH client config (~/.ssh/config): every concrete {@code Host} alias (no wildcards, no
 * negation) becomes a machine with HostName, User, Port, IdentityFile and CertificateFile resolved as ssh does: the first value found
 * in file order among the blocks that apply to the alias wins, so {@code Host *} defaults apply too. {@code Include}
 * is read where it stands (~ and relative paths as OpenSSH resolves them, globs in the file name, 16 levels at most;
 * its lines belong to the block around it, which is restored after it). {@code Match} blocks with {@code all},
 * {@code host}, {@code originalhost}, {@code user} and {@code localuser} apply as ssh's first pass evaluates them.
 * ProxyJump (one hop or a chain "a,b"; hops are other aliases, hosts-file machines or user@host[:port]) becomes the
 * machine's jump path, ProxyCommand its proxy command (the first of the two wins, as in ssh). What ssh-fleet does not
 * support (other Match criteria, which may run commands: {@code exec}; other ProxyJump forms) is reported once per
 * file, never silently ignored; a machine that needs an unsupported proxy is left out rather than connected to the
 * wrong way.
 */
public final class SshConfigFile {

    /** The machines found and the problems worth telling the operator. */
    public record Parsed(List<HostEntry> entries, List<ConfigProblem> problems) {}

    /** OpenSSH's READCONF_MAX_DEPTH. */
    static final int MAX_INCLUDE_DEPTH = 16;

    /**
     * A Host block ({@code patterns}) or a Match block ({@code criteria}: keyword, value pairs; {@code never} when one
     * is not supported). {@code parent}: the block an Include stood in, which must apply too.
     */
    private record Block(
            List<String> patterns,
            List<String[]> criteria,
            boolean never,
            Block parent,
            String where,
            Map<String, String> values) {}

    private SshConfigFile() {}

    public static Parsed read(Path file, Path home, String localUser) {
        List<ConfigProblem> problems = new ArrayList<>();
        Reader reader = new Reader(home, problems);
        if (!reader.file(file, 0, null)) {
            return new Parsed(List.of(), problems);
        }
        List<HostEntry> entries = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Block b : reader.blocks) {
            if (b.patterns() == null) {
                continue;
            }
            for (String alias : b.patterns()) {
                if (alias.contains("*") || alias.contains("?") || alias.startsWith("!") || !seen.add(alias)) {
                    continue;
                }
                Map<String, String> eff = new LinkedHashMap<>();
                for (Block o : reader.blocks) {
                    if (applies(o, alias, eff, localUser)) {
                        o.values().forEach(eff::putIfAbsent);
                    }
                }
                HostEntry e = entry(alias, eff, b.where(), home, localUser, problems, reader.unsupported);
                if (e != null) {
                    entries.add(e);
                }
            }
        }
        if (!reader.unsupported.isEmpty()) {
            problems.add(
                    ConfigProblem.warning(file.toString(), "not supported: " + String.join("; ", reader.unsupported)));
        }
        return new Parsed(entries, problems);
    }

    /** Reads files into blocks, following Include where it stands. */
    private static final class Reader {
        final Path home;
        final List<ConfigProblem> problems;
        final List<Block> blocks = new ArrayList<>();
        final Set<String> unsupported = new LinkedHashSet<>();
        Block current;

        Reader(Path home, List<ConfigProblem> problems) {
            this.home = home;
            this.problems = problems;
        }

        /** False when the file cannot be read (the top-level file's problem is then the only one). */
        // Long on purpose: one case per ssh_config keyword that shapes blocks; split, they would lose the block state.
        boolean file(Path file, int depth, Block parent) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                problems.add(ConfigProblem.warning(
                        file.toString(),
                        depth == 0
                                ? "ssh config not read (" + e.getMessage() + "); its hosts are not available"
                                : "included file not read (" + e.getMessage() + ")"));
                return false;
            }
            if (current == null) {
                current = new Block(List.of("*"), null, false, null, file + ":0", new LinkedHashMap<>());
                blocks.add(current); // options before any Host line
            }
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i).strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                String[] kv = l.split("[\\s=]+", 2);
                String key = kv[0].toLowerCase(Locale.ROOT);
                String value = kv.length > 1 ? unquote(kv[1].strip()) : "";
                String where = file + ":" + (i + 1);
                switch (key) {
                    case "host" -> {
                        current = new Block(
                                List.of(value.split("\\s+")), null, false, parent, where, new LinkedHashMap<>());
                        blocks.add(current);
                    }
                    case "match" -> {
                        current = match(value, where, parent);
                        blocks.add(current);
                    }
                    case "include" -> include(value, where, depth);
                    default -> current.values().putIfAbsent(key, value);
                }
            }
            return true;
        }

        private Block match(String value, String where, Block parent) {
            List<String> words = List.of(value.split("\\s+"));
            List<String[]> criteria = new ArrayList<>();
            boolean never = false;
            for (int w = 0; w < words.size(); w++) {
                String k = words.get(w).toLowerCase(Locale.ROOT);
                if (k.equals("all")) {
                    criteria.add(new String[] {"all", ""});
                } else if (Set.of("host", "originalhost", "user", "localuser").contains(k) && w + 1 < words.size()) {
                    criteria.add(new String[] {k, words.get(++w)});
                } else {
                    never = true;
                    unsupported.add("Match " + k + " (" + where + ": the block is ignored)");
                    break;
                }
            }
            return new Block(null, criteria, never, parent, where, new LinkedHashMap<>());
        }

        /** Each file the Include names, in name order, read as if its lines stood here; the block is restored after. */
        private void include(String value, String where, int depth) {
            if (depth + 1 >= MAX_INCLUDE_DEPTH) {
                problems.add(ConfigProblem.warning(
                        where, "Include nested deeper than " + MAX_INCLUDE_DEPTH + " levels (a loop?); not read"));
                return;
            }
            Block around = current;
            for (String name : value.split("\\s+")) {
                for (Path f : expand(name, where)) {
                    file(f, depth + 1, around);
                    current = around;
                }
            }
        }

        /** ~ is home; a relative path is under ~/.ssh, as OpenSSH reads a user config; globs in the last part. */
        private List<Path> expand(String name, String where) {
            Path p = name.startsWith("~/")
                    ? home.resolve(name.substring(2))
                    : Path.of(name).isAbsolute()
                            ? Path.of(name)
                            : home.resolve(".ssh").resolve(name);
            Path fileName = p.getFileName();
            String last = fileName == null ? "" : fileName.toString();
            if (!(last.contains("*") || last.contains("?") || last.contains("["))) {
                return List.of(p);
            }
            Path dir = p.getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                return List.of(); // as ssh: a glob that matches nothing is no error
            }
            java.nio.file.PathMatcher m = dir.getFileSystem().getPathMatcher("glob:" + last);
            try (java.util.stream.Stream<Path> s = Files.list(dir)) {
                return s.filter(f -> m.matches(f.getFileName()) && Files.isRegularFile(f))
                        .sorted()
                        .toList();
            } catch (IOException e) {
                problems.add(ConfigProblem.warning(where, "Include " + name + " not read (" + e.getMessage() + ")"));
                return List.of();
            }
        }
    }

    /** Whether a block's options apply to {@code alias}, given what is resolved so far (as ssh's first pass). */
    private static boolean applies(Block b, String alias, Map<String, String> eff, String localUser) {
        if (b.parent() != null && !applies(b.parent(), alias, eff, localUser)) {
            return false;
        }
        if (b.patterns() != null) {
            return matches(alias, b.patterns());
        }
        if (b.never()) {
            return false;
        }
        for (String[] c : b.criteria()) {
            List<String> pats = List.of(c[1].split(","));
            boolean ok = switch (c[0]) {
                case "all" -> true;
                case "originalhost" -> matches(alias, pats);
                case "host" -> matches(eff.getOrDefault("hostname", alias).replace("%h", alias), pats);
                case "user" -> matches(eff.getOrDefault("user", localUser), pats);
                default -> matches(localUser, pats); // localuser
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** One alias's machine from its resolved options, or null (left out, with the reason recorded). */
    private static HostEntry entry(
            String alias,
            Map<String, String> eff,
            String where,
            Path home,
            String localUser,
            List<ConfigProblem> problems,
            Set<String> unsupported) {
        if (eff.containsKey("revokedhostkeys")) {
            unsupported.add("RevokedHostKeys (one list serves every machine: set revoked_host_keys in config.yaml)");
        }
        // ProxyJump and ProxyCommand compete as in ssh: whichever came first in the file wins, and "none" of the
        // first one means a direct connection.
        String first = eff.keySet().stream()
                .filter(k -> k.equals("proxyjump") || k.equals("proxycommand"))
                .findFirst()
                .orElse("");
        String jump = first.equals("proxyjump") ? eff.get("proxyjump") : null;
        String proxy = first.equals("proxycommand") ? eff.get("proxycommand") : null;
        if (jump != null && jump.equalsIgnoreCase("none")) {
            jump = null;
        }
        if (proxy != null && proxy.equalsIgnoreCase("none")) {
            proxy = null;
        }
        if (jump != null && !HostsFile.isValidJump(jump)) {
            unsupported.add("ProxyJump '" + jump + "' (hops must be Host aliases, machines or user@host[:port]) (host '"
                    + alias + "' is left out)");
            return null;
        }
        if (proxy != null && io.github.sshfleet.core.ProxyCommand.problem(proxy) != null) {
            problems.add(ConfigProblem.warning(
                    where,
                    "Host '" + alias + "': " + io.github.sshfleet.core.ProxyCommand.problem(proxy) + "; left out"));
            return null;
        }
        if (proxy != null && "yes".equalsIgnoreCase(eff.get("proxyusefdpass"))) {
            problems.add(ConfigProblem.warning(
                    where,
                    "Host '" + alias + "': ProxyUseFdpass yes is not supported (the command's stdin and stdout "
                            + "carry the session, as with ProxyUseFdpass no); left out"));
            return null;
        }
        if (!HostsFile.isValidName(alias)) {
            problems.add(ConfigProblem.warning(where, "Host '" + alias + "' is not a valid machine name; left out"));
            return null;
        }
        String hostName = eff.getOrDefault("hostname", alias).replace("%h", alias);
        int port = 0;
        if (eff.containsKey("port")) {
            try {
                port = Integer.parseInt(eff.get("port"));
            } catch (NumberFormatException e) {
                problems.add(ConfigProblem.warning(
                        where, "Host '" + alias + "': bad Port '" + eff.get("port") + "'; left out"));
                return null;
            }
        }
        String user = eff.getOrDefault("user", localUser);
        String key = expandPath(eff.get("identityfile"), home, localUser, hostName, user);
        if (key != null && !Files.exists(Path.of(key))) {
            key = null; // ssh skips a missing IdentityFile too; the agent may still hold the key
        }
        String cert = key == null ? null : expandPath(eff.get("certificatefile"), home, localUser, hostName, user);
        if (cert != null && !Files.exists(Path.of(cert))) {
            problems.add(ConfigProblem.warning(
                    where,
                    "Host '" + alias + "': CertificateFile " + cert + " does not exist; the key is offered bare"));
            cert = null;
        }
        int line = Integer.parseInt(where.substring(where.lastIndexOf(':') + 1));
        return new HostEntry(
                alias, hostName, port, user, null, key, null, null, null, jump, line, List.of(), cert, proxy);
    }

    /** ssh's rule: some pattern matches and no negated pattern does. */
    static boolean matches(String alias, List<String> patterns) {
        boolean hit = false;
        for (String p : patterns) {
            boolean neg = p.startsWith("!");
            String glob = neg ? p.substring(1) : p;
            if (alias.matches(globToRegex(glob))) {
                if (neg) {
                    return false;
                }
                hit = true;
            }
        }
        return hit;
    }

    private static String globToRegex(String glob) {
        StringBuilder r = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> r.append(".*");
                case '?' -> r.append('.');
                default -> r.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return r.toString();
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    /** IdentityFile and CertificateFile as ssh expands them (%d %u %h %r, ~), or null when not given. */
    private static String expandPath(String value, Path home, String localUser, String hostName, String user) {
        if (value == null) {
            return null;
        }
        return ConfigLoader.expand(
                        value.replace("%d", home.toString())
                                .replace("%u", localUser)
                                .replace("%h", hostName)
                                .replace("%r", user),
                        home)
                .toString();
    }
}
