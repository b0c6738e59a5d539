package io.github.sshfleet.policy;

import io.github.sshfleet.core.FleetException;
import java.util.List;
import java.util.Optional;

/**
 * One allow or deny rule of a policy entry: a program and fixed words, matched against parsed pipeline stages, never
 * against the raw string. The two kinds match differently on purpose, as sudoers does for allow:
 *
 * <ul>
 *   <li>allow {@code uptime} (a program alone) allows it with any arguments; allow {@code systemctl restart nginx}
 *       allows exactly that; a last word {@code *} allows anything after the words before it ({@code journalctl -u
 *       nginx *}). An allow rule never lets one stage's extra operands ride along.
 *   <li>deny {@code rm} refuses every rm; deny {@code systemctl stop} refuses a systemctl stage that has these words
 *       in this order anywhere among its arguments ({@code systemctl --now stop x}); a one-letter option in a deny rule
 *       also matches a cluster holding it ({@code rm -r} matches {@code rm -fr}); the program matches by any path
 *       ({@code /sbin/reboot} is reboot).
 *   <li>a word that ends in its only {@code *} matches every word it starts ({@code mkfs*}, {@code of=/dev/*}).
 * </ul>
 */
public record CommandRule(String text, List<String> words) {

    public CommandRule {
        words = List.copyOf(words);
    }

    /** Parses a rule from config.yaml; empty with the reason when it is not a program and plain words. */
    public static Result parse(String text) {
        List<List<ShellWords.Word>> stages;
        try {
            stages = ShellWords.pipeline(text == null ? "" : text);
        } catch (ShellWords.Refused r) {
            return new Result(null, FleetException.quote(text) + " is not a plain command: " + r.getMessage());
        }
        if (stages.size() != 1) {
            return new Result(
                    null,
                    FleetException.quote(text) + " must be one command (a program and its words), not a pipeline");
        }
        List<ShellWords.Word> stage = stages.get(0);
        for (int i = 0; i < stage.size(); i++) {
            ShellWords.Word w = stage.get(i);
            boolean lastStar = i == stage.size() - 1 && i > 0 && w.text().equals("*");
            if (w.glob() && !lastStar && !prefixPattern(w.text())) {
                return new Result(
                        null,
                        FleetException.quote(text) + ": a wildcard may only end a word ('mkfs*', 'of=/dev/*') or "
                                + "be the last word '*' (got " + FleetException.quote(w.text()) + ")");
            }
        }
        if (stage.get(0).text().contains("/")) {
            return new Result(null, FleetException.quote(text) + ": name the program without a path");
        }
        return new Result(
                new CommandRule(
                        text.strip(), stage.stream().map(ShellWords.Word::text).toList()),
                null);
    }

    /** A parsed rule, or why the text is not one. */
    public record Result(CommandRule rule, String problem) {
        public Optional<String> problemText() {
            return Optional.ofNullable(problem);
        }
    }

    /** "mkfs*": a word that ends in its only wildcard matches every word it starts. */
    private static boolean prefixPattern(String w) {
        return w.length() > 1
                && w.endsWith("*")
                && w.substring(0, w.length() - 1).chars().noneMatch(ch -> ch == '*' || ch == '?' || ch == '[');
    }

    String program() {
        return words.get(0);
    }

    /** As sudoers: the program as named (no path: ./uptime is not uptime), then exactly the rule's words. */
    boolean allows(List<String> stage) {
        if (stage.get(0).contains("/") || !literal(program(), stage.get(0))) {
            return false;
        }
        if (words.size() == 1) {
            return true;
        }
        boolean open = words.get(words.size() - 1).equals("*");
        List<String> fixed = open ? words.subList(0, words.size() - 1) : words;
        if (open ? stage.size() < fixed.size() : stage.size() != fixed.size()) {
            return false;
        }
        for (int i = 1; i < fixed.size(); i++) {
            if (!literal(fixed.get(i), stage.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The stage runs this rule's program (by any path) with the rule's words in order among its arguments. */
    boolean denies(List<String> stage) {
        return matchesFrom(stage, 0);
    }

    /**
     * Like {@link #denies}, and also where a wrapper (sudo, env, xargs, find -exec, ...) runs the program further
     * along the stage: for confirm rules over {@link CommandScan} segments.
     */
    boolean confirms(List<String> segment) {
        if (matchesFrom(segment, 0)) {
            return true;
        }
        if (!CommandScan.WRAPPERS.contains(CommandScan.basename(segment.get(0)))) {
            return false;
        }
        for (int p = 1; p < segment.size(); p++) {
            if (matchesFrom(segment, p)) {
                return true;
            }
        }
        return false;
    }

    private boolean matchesFrom(List<String> stage, int from) {
        if (!sameWord(program(), CommandScan.basename(stage.get(from)))) {
            return false;
        }
        int at = from + 1;
        for (String want : words.subList(1, words.size())) {
            if (want.equals("*")) {
                return true;
            }
            while (at < stage.size() && !sameWord(want, stage.get(at))) {
                at++;
            }
            if (at == stage.size()) {
                return false;
            }
            at++;
        }
        return true;
    }

    /** For allow rules: as written, or a prefix pattern; never widened to option clusters (rm -i is not rm -ir). */
    private static boolean literal(String want, String got) {
        return want.equals(got) || (prefixPattern(want) && got.startsWith(want.substring(0, want.length() - 1)));
    }

    private static boolean sameWord(String want, String got) {
        if (want.equals(got)) {
            return true;
        }
        if (prefixPattern(want)) {
            return got.startsWith(want.substring(0, want.length() - 1));
        }
        // "-r" in a rule matches the cluster "-fr"; a long option or an operand must match as written.
        return want.length() == 2
                && want.charAt(0) == '-'
                && want.charAt(1) != '-'
                && got.length() > 2
                && got.charAt(0) == '-'
                && got.charAt(1) != '-'
                && got.indexOf(want.charAt(1)) > 0;
    }
}
