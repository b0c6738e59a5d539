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
 * negation) becomes a machine with HostName, User, Port and IdentityFile resolved as ssh does: the first value found
 * in file order among the blocks whose patterns match the alias wins, so {@code Host *} defaults apply too.
 * ProxyJump (one hop or a chain "a,b"; hops are other aliases, hosts-file machines or user@host[:port]) becomes the
 * machine's jump path. What ssh-fleet does not support (Match blocks,
 * ProxyCommand, Include, those ProxyJump forms) is reported once per file, never silently ignored; a machine that
 * needs an unsupported proxy is left out rather than connected to the wrong way.
 */
public final class SshConfigFile {

    /** The machines found and the problems worth telling the operator. */
    public record Parsed(List<HostEntry> entries, List<ConfigProblem> problems) {}

    private record Block(List<String> patterns, int line, Map<String, String> values) {}

    private SshConfigFile() {}

    // Long on purpose: one case per ssh_config keyword, in the order OpenSSH documents them; split, the cases would
    // lose their shared Host block state.
    public static Parsed read(Path file, Path home, String localUser) {
        List<ConfigProblem> problems = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            problems.add(ConfigProblem.warning(
                    file.toString(), "ssh config not read (" + e.getMessage() + "); its " + "hosts are not available"));
            return new Parsed(List.of(), problems);
        }
        List<Block> blocks = new ArrayList<>();
        Block current = new Block(List.of("*"), 0, new LinkedHashMap<>()); // options before any Host line
        blocks.add(current);
        Set<String> unsupported = new LinkedHashSet<>();
        boolean inMatch = false;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] kv = l.split("[\\s=]+", 2);
            String key = kv[0].toLowerCase(Locale.ROOT);
            String value = kv.length > 1 ? unquote(kv[1].strip()) : "";
            switch (key) {
                case "host" -> {
                    inMatch = false;
                    current = new Block(List.of(value.split("\\s+")), i + 1, new LinkedHashMap<>());
                    blocks.add(current);
                }
                case "match" -> {
                    inMatch = true;
                    unsupported.add("Match (line " + (i + 1) + ": its options are ignored)");
                }
                case "include" -> unsupported.add("Include (line " + (i + 1) + ": the included file is not read)");
                default -> {
                    if (!inMatch) {
                        current.values().putIfAbsent(key, value);
                    }
                }
            }
        }
        List<HostEntry> entries = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Block b : blocks) {
            for (String alias : b.patterns()) {
                if (alias.contains("*") || alias.contains("?") || alias.startsWith("!") || !seen.add(alias)) {
                    continue;
                }
                Map<String, String> eff = new LinkedHashMap<>();
                for (Block o : blocks) {
                    if (matches(alias, o.patterns())) {
                        o.values().forEach(eff::putIfAbsent);
                    }
                }
                String where = file + ":" + b.line();
                String jump = eff.get("proxyjump");
                if (jump != null && jump.equalsIgnoreCase("none")) {
                    jump = null;
                }
                if (eff.containsKey("proxycommand") || (jump != null && !HostsFile.isValidJump(jump))) {
                    String what = eff.containsKey("proxycommand")
                            ? "ProxyCommand"
                            : "ProxyJump '" + jump + "' (hops must be Host aliases, machines or user@host[:port])";
                    unsupported.add(what + " (host '" + alias + "' is left out)");
                    continue;
                }
                if (!HostsFile.isValidName(alias)) {
                    problems.add(ConfigProblem.warning(
                            where, "Host '" + alias + "' is not a valid machine name; " + "left out"));
                    continue;
                }
                String hostName = eff.getOrDefault("hostname", alias).replace("%h", alias);
                int port = 0;
                if (eff.containsKey("port")) {
                    try {
                        port = Integer.parseInt(eff.get("port"));
                    } catch (NumberFormatException e) {
                        problems.add(ConfigProblem.warning(
                                where, "Host '" + alias + "': bad Port '" + eff.get("port") + "'; left out"));
                        continue;
                    }
                }
                String user = eff.getOrDefault("user", localUser);
                String key = eff.containsKey("identityfile")
                        ? ConfigLoader.expand(
                                        eff.get("identityfile")
                                                .replace("%d", home.toString())
                                                .replace("%u", localUser)
                                                .replace("%h", hostName)
                                                .replace("%r", user),
                                        home)
                                .toString()
                        : null;
                if (key != null && !Files.exists(Path.of(key))) {
                    key = null; // ssh skips a missing IdentityFile too; the agent may still hold the key
                }
                entries.add(new HostEntry(alias, hostName, port, user, null, key, null, null, null, jump, b.line()));
            }
        }
        if (!unsupported.isEmpty()) {
            problems.add(ConfigProblem.warning(file.toString(), "not supported: " + String.join("; ", unsupported)));
        }
        return new Parsed(entries, problems);
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
}
