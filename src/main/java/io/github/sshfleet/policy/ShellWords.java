package io.github.sshfleet.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately conservative POSIX shell lexer: it turns a command line into pipeline stages of words, and refuses
 * everything whose meaning depends on more than quoting. What the remote shell would expand, substitute, redirect or
 * run in the background is not guessed at: {@code $} outside single quotes, backticks, {@code ; & && || < > ( ) { }},
 * newlines, control characters, comments and unterminated quotes are each refused with the exact token. Only the
 * plain {@code |} between stages is kept. What it accepts means the same to sh, dash and bash.
 */
final class ShellWords {

    /** One word after quote removal. {@code glob}: it has an unquoted *, ? or [ the shell would expand. */
    record Word(String text, boolean glob, boolean quoted) {}

    /** Why a command line is not a plain pipeline, naming the token. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private ShellWords() {}

    /** The stages of {@code line} split at unquoted {@code |}, each a list of words; never an empty stage. */
    // Long on purpose: one character-level state machine (unquoted, '...', "..."); split, its states would scatter.
    static List<List<Word>> pipeline(String line) throws Refused {
        List<List<Word>> stages = new ArrayList<>();
        List<Word> stage = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean glob = false;
        boolean quoted = false;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw new Refused(
                        c == '\n' || c == '\r'
                                ? "a line break (two commands)"
                                : "a control character (0x" + Integer.toHexString(c) + ")");
            }
            switch (c) {
                case ' ', '\t' -> {
                    if (inWord) {
                        stage.add(new Word(word.toString(), glob, quoted));
                        word.setLength(0);
                        inWord = glob = quoted = false;
                    }
                    i++;
                }
                case '\'' -> {
                    int end = line.indexOf('\'', i + 1);
                    if (end < 0) {
                        throw new Refused("an unterminated ' quote");
                    }
                    word.append(line, i + 1, end);
                    inWord = quoted = true;
                    i = end + 1;
                }
                case '"' -> {
                    i = doubleQuoted(line, i + 1, word);
                    inWord = quoted = true;
                }
                case '\\' -> {
                    if (i + 1 >= n) {
                        throw new Refused("a trailing backslash");
                    }
                    char next = line.charAt(i + 1);
                    if (next == '\n' || next == '\r' || next < 0x20) {
                        throw new Refused("a backslash before a control character");
                    }
                    word.append(next);
                    inWord = quoted = true;
                    i += 2;
                }
                case '|' -> {
                    if (i + 1 < n && (line.charAt(i + 1) == '|' || line.charAt(i + 1) == '&')) {
                        throw new Refused("'" + line.substring(i, i + 2) + "'");
                    }
                    if (inWord) {
                        stage.add(new Word(word.toString(), glob, quoted));
                        word.setLength(0);
                        inWord = glob = quoted = false;
                    }
                    if (stage.isEmpty()) {
                        throw new Refused("'|' with no command before it");
                    }
                    stages.add(stage);
                    stage = new ArrayList<>();
                    i++;
                }
                case '$' -> throw new Refused("'$' (an expansion or substitution: " + excerpt(line, i) + ")");
                case '`' -> throw new Refused("'`' (a command substitution)");
                case ';', '&', '<', '>', '(', ')', '{', '}' -> throw new Refused("'" + operator(line, i) + "'");
                case '#' -> {
                    if (!inWord) {
                        throw new Refused("'#' (a comment)");
                    }
                    word.append(c);
                    i++;
                }
                case '*', '?', '[' -> {
                    word.append(c);
                    inWord = glob = true;
                    i++;
                }
                default -> {
                    word.append(c);
                    inWord = true;
                    i++;
                }
            }
        }
        if (inWord) {
            stage.add(new Word(word.toString(), glob, quoted));
        }
        if (stage.isEmpty()) {
            throw new Refused(stages.isEmpty() ? "an empty command" : "'|' with no command after it");
        }
        stages.add(stage);
        return stages;
    }

    /** Inside "...": $ and ` are refused; \ escapes only $ ` " \ (and the rest stays literal). Returns the index after. */
    private static int doubleQuoted(String line, int i, StringBuilder word) throws Refused {
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '$') {
                throw new Refused("'$' inside double quotes (an expansion: " + excerpt(line, i) + ")");
            }
            if (c == '`') {
                throw new Refused("'`' inside double quotes (a command substitution)");
            }
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw new Refused("a control character inside double quotes");
            }
            if (c == '\\' && i + 1 < n && "$`\"\\".indexOf(line.charAt(i + 1)) >= 0) {
                word.append(line.charAt(i + 1));
                i += 2;
                continue;
            }
            word.append(c);
            i++;
        }
        throw new Refused("an unterminated \" quote");
    }

    private static String operator(String line, int i) {
        int end = i + 1;
        while (end < line.length() && end < i + 3 && ";&<>|()".indexOf(line.charAt(end)) >= 0) {
            end++;
        }
        return line.substring(i, end);
    }

    private static String excerpt(String line, int i) {
        return line.substring(i, Math.min(line.length(), i + 12));
    }
}
