package io.github.sshfleet.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A best-effort scan of any command line (or script) for the simple commands it would run, for confirm rules: split at
 * {@code ; & | && || ( ) ` $(} and newlines outside single quotes, quotes removed, and the text after
 * {@code bash -c}/{@code sh -c}/{@code su -c} and {@code eval} scanned again. It never refuses: it serves the safety
 * net that asks a human before a destructive command, where a missed prompt is a mistake caught later and a false one
 * costs a click. What must hold against a determined agent is mode restricted or readonly, which use
 * {@link ShellWords}, the lexer that refuses what it cannot read.
 */
final class CommandScan {

    /** Programs that run the program named among their arguments. */
    static final Set<String> WRAPPERS = Set.of(
            "sudo", "doas", "env", "nohup", "nice", "ionice", "timeout", "time", "exec", "command", "builtin", "xargs",
            "stdbuf", "watch", "find", "chroot", "setsid", "flock", "strace", "busybox");

    /** Programs whose -c argument is a command line of its own. */
    static final Set<String> SHELLS = Set.of("bash", "sh", "dash", "zsh", "ksh", "ash", "su", "runuser");

    private static final int MAX_DEPTH = 3;

    private CommandScan() {}

    static List<List<String>> segments(String line) {
        List<List<String>> out = new ArrayList<>();
        scan(line == null ? "" : line, 0, out);
        return out;
    }

    // Long on purpose: one character loop with its three quoting states, as in ShellWords.
    private static void scan(String line, int depth, List<List<String>> out) {
        List<String> segment = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean inDouble = false;
        int n = line.length();
        for (int i = 0; i < n; i++) {
            char c = line.charAt(i);
            if (inDouble) {
                if (c == '"') {
                    inDouble = false;
                } else if (c == '\\' && i + 1 < n && "$`\"\\".indexOf(line.charAt(i + 1)) >= 0) {
                    word.append(line.charAt(++i));
                } else if (c == '`' || (c == '$' && i + 1 < n && line.charAt(i + 1) == '(')) {
                    inWord = flushWord(word, inWord, segment);
                    flushSegment(segment, depth, out);
                    segment = new ArrayList<>();
                    inDouble = false; // what follows is a command of its own
                    if (c == '$') {
                        i++;
                    }
                } else {
                    word.append(c);
                }
                continue;
            }
            switch (c) {
                case '\'' -> {
                    int end = line.indexOf('\'', i + 1);
                    int stop = end < 0 ? n : end;
                    word.append(line, i + 1, stop);
                    inWord = true;
                    i = stop;
                }
                case '"' -> {
                    inDouble = true;
                    inWord = true;
                }
                case '\\' -> {
                    if (i + 1 < n) {
                        word.append(line.charAt(++i));
                        inWord = true;
                    }
                }
                case ' ', '\t', '<', '>' -> inWord = flushWord(word, inWord, segment);
                case ';', '&', '|', '\n', '\r', '(', ')', '`', '{', '}' -> {
                    inWord = flushWord(word, inWord, segment);
                    flushSegment(segment, depth, out);
                    segment = new ArrayList<>();
                }
                case '$' -> {
                    if (i + 1 < n && line.charAt(i + 1) == '(') {
                        inWord = flushWord(word, inWord, segment);
                        flushSegment(segment, depth, out);
                        segment = new ArrayList<>();
                        i++;
                    } else {
                        word.append(c);
                        inWord = true;
                    }
                }
                default -> {
                    word.append(c);
                    inWord = true;
                }
            }
        }
        flushWord(word, inWord, segment);
        flushSegment(segment, depth, out);
    }

    private static boolean flushWord(StringBuilder word, boolean inWord, List<String> segment) {
        if (inWord) {
            segment.add(word.toString());
            word.setLength(0);
        }
        return false;
    }

    private static void flushSegment(List<String> segment, int depth, List<List<String>> out) {
        if (segment.isEmpty()) {
            return;
        }
        out.add(List.copyOf(segment));
        if (depth >= MAX_DEPTH) {
            return;
        }
        String program = basename(segment.get(0));
        if (SHELLS.contains(program)) {
            int c = segment.indexOf("-c");
            if (c >= 0 && c + 1 < segment.size()) {
                scan(segment.get(c + 1), depth + 1, out);
            }
        }
        if (program.equals("eval") && segment.size() > 1) {
            scan(String.join(" ", segment.subList(1, segment.size())), depth + 1, out);
        }
    }

    /** {@code /usr/sbin/reboot} is reboot. */
    static String basename(String word) {
        int slash = word.lastIndexOf('/');
        return slash >= 0 && slash < word.length() - 1 ? word.substring(slash + 1) : word;
    }
}
