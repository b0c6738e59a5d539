package io.github.sshfleet.policy;

import io.github.sshfleet.core.FleetException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a command line is provably read-only, for exec_readonly: {@link ShellWords} must find a plain
 * pipeline, and every stage must be an allowlisted program whose arguments pass that program's rule (subcommands,
 * refused options, how many operands). A refusal names the exact token and points to exec. The rules know GNU option
 * abbreviations ({@code --outp} is {@code --output}) and bundled short options ({@code -fn5} holds {@code -f}).
 * Operators add programs (not loosen the built-in ones) with {@code readonly_commands:} in config.yaml.
 */
public final class ReadOnlyCommands {

    /** The built-in list: programs that only read, each with what would make it write, run or block. */
    static final Map<String, ReadOnlyRules.Rule> BUILTIN = ReadOnlyRules.builtin();

    /**
     * Programs an operator may not add: they run other programs, interpret code, write files, or change the machine.
     * Adding one would make "read-only" a lie the client trusts (it may auto-approve the tool).
     */
    static final Set<String> NEVER = Set.of(
            "sh",
            "bash",
            "dash",
            "zsh",
            "ksh",
            "csh",
            "tcsh",
            "fish",
            "busybox",
            "env",
            "xargs",
            "nohup",
            "nice",
            "timeout",
            "watch",
            "time",
            "exec",
            "eval",
            "command",
            "builtin",
            "source",
            ".",
            "su",
            "sudo",
            "doas",
            "pkexec",
            "chroot",
            "setsid",
            "strace",
            "ltrace",
            "gdb",
            "ssh",
            "scp",
            "sftp",
            "rsync",
            "nsenter",
            "unshare",
            "systemd-run",
            "script",
            "expect",
            "python",
            "python3",
            "perl",
            "ruby",
            "node",
            "php",
            "lua",
            "awk",
            "gawk",
            "mawk",
            "nawk",
            "sed",
            "ed",
            "ex",
            "vi",
            "vim",
            "nvim",
            "emacs",
            "nano",
            "less",
            "more",
            "man",
            "tee",
            "dd",
            "cp",
            "mv",
            "rm",
            "ln",
            "chmod",
            "chown",
            "chgrp",
            "install",
            "truncate",
            "shred",
            "mkdir",
            "rmdir",
            "touch",
            "kill",
            "pkill",
            "killall",
            "reboot",
            "shutdown",
            "poweroff",
            "halt",
            "init",
            "telinit",
            "crontab",
            "at",
            "batch",
            "make",
            "git",
            "tar",
            "zip",
            "unzip",
            "curl",
            "wget",
            "nc",
            "socat");

    private final Map<String, List<List<String>>> extensions;

    private ReadOnlyCommands(Map<String, List<List<String>>> extensions) {
        this.extensions = extensions;
    }

    /** The built-in list plus config.yaml's readonly_commands (each already checked by {@link #problemWith}). */
    public static ReadOnlyCommands with(List<String> extra) {
        Map<String, List<List<String>>> ext = new HashMap<>();
        for (String e : extra) {
            List<String> words = List.of(e.strip().split("\\s+"));
            ext.computeIfAbsent(words.get(0), k -> new ArrayList<>()).add(words.subList(1, words.size()));
        }
        return new ReadOnlyCommands(Map.copyOf(ext));
    }

    /** Why a readonly_commands entry cannot be accepted, if it cannot (checked once, at config load). */
    public static Optional<String> problemWith(String entry) {
        String e = entry.strip();
        // Fixed words may be options ("nginx -T"): the operator vouches for that exact prefix, and what follows it
        // still goes through the lexer, so no shell syntax can ride along.
        if (!e.matches("[A-Za-z0-9][A-Za-z0-9._+-]*(\\s+[A-Za-z0-9-][A-Za-z0-9._:+=-]*)*")) {
            return Optional.of(FleetException.quote(entry) + " must be a program name, optionally followed by "
                    + "fixed words (e.g. 'docker ps', 'nginx -T'): letters, digits and . _ : + = - only");
        }
        String program = e.split("\\s+")[0];
        if (NEVER.contains(program.toLowerCase(Locale.ROOT))) {
            return Optional.of(program + " can run other programs, write files or change the machine, so it cannot "
                    + "be read-only; use exec for it");
        }
        if (BUILTIN.containsKey(program)) {
            return Optional.of(program + " is built in with its own rules; readonly_commands adds other programs");
        }
        return Optional.empty();
    }

    /** Refuses (POLICY, nothing ran) a command that is not provably read-only, naming the token; else returns. */
    public void check(String command) {
        List<List<ShellWords.Word>> stages;
        try {
            stages = ShellWords.pipeline(command);
        } catch (ShellWords.Refused r) {
            throw refused(r.getMessage());
        }
        for (List<ShellWords.Word> stage : stages) {
            checkStage(stage);
        }
    }

    private void checkStage(List<ShellWords.Word> stage) {
        ShellWords.Word first = stage.get(0);
        String program = first.text();
        if (first.quoted() || first.glob()) {
            throw refused("the program name " + FleetException.quote(program) + " is quoted or a glob");
        }
        if (program.matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
            throw refused("an assignment (" + FleetException.quote(program) + ")");
        }
        if (program.contains("/")) {
            throw refused("a program given as a path (" + FleetException.quote(program) + "); name it without one");
        }
        if (program.equals("sudo")) {
            throw refused("sudo (exec_readonly runs as the login user; use sudo_exec)");
        }
        List<ShellWords.Word> args = stage.subList(1, stage.size());
        for (ShellWords.Word w : args) {
            if (w.glob()
                    && !(w.text().startsWith("/")
                            || w.text().startsWith("./")
                            || w.text().startsWith("~/"))) {
                throw refused("the glob " + FleetException.quote(w.text()) + " (it could expand to an option; "
                        + "anchor it: ./" + w.text() + " or an absolute path)");
            }
        }
        ReadOnlyRules.Rule rule = BUILTIN.get(program);
        if (rule != null) {
            if (program.equals("ip")) {
                ReadOnlyRules.IpRule.check(args);
            } else {
                checkArgs(program, rule, args);
            }
            return;
        }
        List<List<String>> allowed = extensions.get(program);
        if (allowed == null) {
            throw refused(FleetException.quote(program) + " is not on the read-only list (readonly_commands in "
                    + "config.yaml adds programs)");
        }
        // The subcommand words come first, before any option (an option could take the next word as its value).
        List<String> words = args.stream().map(ShellWords.Word::text).toList();
        for (List<String> sub : allowed) {
            if (words.size() >= sub.size() && words.subList(0, sub.size()).equals(sub)) {
                return;
            }
        }
        throw refused(program + " is allowed only as: "
                + String.join(
                        ", ",
                        allowed.stream()
                                .map(s -> String.join(" ", program, String.join(" ", s))
                                        .strip())
                                .toList()));
    }

    private static void checkArgs(String program, ReadOnlyRules.Rule rule, List<ShellWords.Word> args) {
        // The verb must come first: an option before it could take the next word as its value and make a later
        // operand the verb (systemctl --property status restart runs restart).
        if (!rule.subcommands().isEmpty()
                && !args.isEmpty()
                && !rule.subcommands().contains(args.get(0).text())) {
            throw refused(program + " " + FleetException.quote(args.get(0).text()) + " (name a read-only subcommand "
                    + "first: " + String.join(", ", new java.util.TreeSet<>(rule.subcommands())) + ")");
        }
        int operands = 0;
        boolean endOfOptions = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i).text();
            if (!endOfOptions && a.equals("--")) {
                endOfOptions = true;
            } else if (!endOfOptions && a.startsWith("--")) {
                String name = a.substring(2, a.indexOf('=') < 0 ? a.length() : a.indexOf('='));
                for (String refused : rule.longRefused()) {
                    if (!name.isEmpty() && refused.startsWith(name)) {
                        throw refused(
                                program + " " + FleetException.quote(a) + " (--" + refused + " is not read-only)");
                    }
                }
            } else if (!endOfOptions && a.startsWith("-") && a.length() > 1) {
                for (String prefix : rule.wordRefused()) {
                    if (a.startsWith(prefix)) {
                        throw refused(program + " " + FleetException.quote(a) + " (not read-only)");
                    }
                }
                if (rule.wordRefused().isEmpty()) {
                    String letters = a.substring(1);
                    for (int k = 0; k < letters.length(); k++) {
                        char c = letters.charAt(k);
                        if (rule.shortRefused().indexOf(c) >= 0) {
                            throw refused(program + " " + FleetException.quote(a) + " (-" + c + " is not read-only)");
                        }
                        if (rule.valueShort().indexOf(c) >= 0) {
                            if (k == letters.length() - 1) {
                                i++; // the value is the next word
                            }
                            break; // the rest of the bundle is the value
                        }
                    }
                }
            } else {
                operands++;
                if (rule.maxOperands() >= 0 && operands > rule.maxOperands()) {
                    throw refused(program + " with the operand " + FleetException.quote(a) + " ("
                            + (rule.maxOperands() == 0 ? "it takes none" : "at most " + rule.maxOperands())
                            + " here: more would change something)");
                }
                if (rule.operandsStartWith() != null && !a.startsWith(rule.operandsStartWith())) {
                    throw refused(program + " " + FleetException.quote(a) + " (only " + rule.operandsStartWith()
                            + "FORMAT operands are read-only)");
                }
            }
        }
    }

    static FleetException refused(String why) {
        return new FleetException(
                FleetException.Kind.POLICY,
                "exec_readonly refused the command: " + why + ". Nothing ran. exec_readonly takes plain read-only "
                        + "commands and | pipelines of them; use exec for anything else.");
    }
}
