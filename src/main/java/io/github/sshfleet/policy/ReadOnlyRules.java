package io.github.sshfleet.policy;

import io.github.sshfleet.core.FleetException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The built-in read-only programs and what each may not be given: the options that make it write, run something,
 * follow forever or change the machine, the operands that do the same (uniq IN OUT, date MMDDhhmm), and the verbs of
 * programs that have them (systemctl status, not systemctl restart).
 */
final class ReadOnlyRules {

    private ReadOnlyRules() {}

    /**
     * One program's rule. {@code shortRefused}: letters refused anywhere in a bundle of short options;
     * {@code longRefused}: long options refused, abbreviations included; {@code wordRefused}: single-dash words
     * refused by prefix (find's -exec...); {@code valueShort}: short options whose value is the next word;
     * {@code maxOperands}: -1 for any; {@code subcommands}: allowed first operands (empty: any); {@code operandsStartWith}:
     * every operand must start with this (date's +FORMAT), null for any.
     */
    record Rule(
            String shortRefused,
            Set<String> longRefused,
            Set<String> wordRefused,
            String valueShort,
            int maxOperands,
            Set<String> subcommands,
            String operandsStartWith) {

        static Rule any() {
            return new Rule("", Set.of(), Set.of(), "", -1, Set.of(), null);
        }

        Rule refuseShort(String letters) {
            return new Rule(letters, longRefused, wordRefused, valueShort, maxOperands, subcommands, operandsStartWith);
        }

        Rule refuseLong(String... names) {
            return new Rule(
                    shortRefused, Set.of(names), wordRefused, valueShort, maxOperands, subcommands, operandsStartWith);
        }

        Rule refuseWords(String... prefixes) {
            return new Rule(
                    shortRefused,
                    longRefused,
                    Set.of(prefixes),
                    valueShort,
                    maxOperands,
                    subcommands,
                    operandsStartWith);
        }

        Rule values(String letters) {
            return new Rule(
                    shortRefused, longRefused, wordRefused, letters, maxOperands, subcommands, operandsStartWith);
        }

        Rule operands(int max) {
            return new Rule(shortRefused, longRefused, wordRefused, valueShort, max, subcommands, operandsStartWith);
        }

        Rule subcommands(String... names) {
            return new Rule(
                    shortRefused, longRefused, wordRefused, valueShort, maxOperands, Set.of(names), operandsStartWith);
        }

        Rule operandsStartWith(String prefix) {
            return new Rule(shortRefused, longRefused, wordRefused, valueShort, maxOperands, subcommands, prefix);
        }
    }

    static Map<String, Rule> builtin() {
        Map<String, Rule> m = new HashMap<>();
        for (String p : List.of(
                "cat",
                "ls",
                "head",
                "grep",
                "egrep",
                "fgrep",
                "wc",
                "cut",
                "df",
                "du",
                "free",
                "uptime",
                "uname",
                "id",
                "whoami",
                "groups",
                "stat",
                "lsblk",
                "ps",
                "echo",
                "pwd",
                "true",
                "nproc",
                "lscpu",
                "lsmod",
                "who",
                "w",
                "last",
                "getent",
                "realpath",
                "readlink",
                "basename",
                "dirname",
                "which",
                "tac",
                "nl",
                "tr",
                "column",
                "md5sum",
                "sha1sum",
                "sha256sum",
                "sha512sum",
                "file",
                "findmnt",
                "vmstat",
                "iostat",
                "lsof",
                "pgrep",
                "pidof",
                "printenv",
                "locale",
                "timedatectl",
                "hostnamectl",
                "zcat",
                "zgrep",
                "diff",
                "cmp",
                "comm",
                "join",
                "paste",
                "fold",
                "expand",
                "rev",
                "od",
                "hexdump",
                "strings",
                "test")) {
            m.put(p, Rule.any());
        }
        // hostnamectl/timedatectl set-* change the machine: only their status views.
        m.put("hostnamectl", Rule.any().subcommands("status"));
        m.put("timedatectl", Rule.any().subcommands("status", "show", "list-timezones", "timesync-status"));
        m.put("tail", Rule.any().refuseShort("fF").refuseLong("follow", "retry", "pid"));
        m.put(
                "sort",
                Rule.any()
                        .refuseShort("o")
                        .refuseLong("output", "compress-program")
                        .values("kStT"));
        m.put("uniq", Rule.any().operands(1).values("fsw")); // uniq IN OUT writes OUT
        m.put("file", Rule.any().refuseShort("C").refuseLong("compile"));
        m.put("ss", Rule.any().refuseShort("KD").refuseLong("kill", "diag"));
        m.put("netstat", Rule.any());
        m.put(
                "dmesg",
                Rule.any()
                        .refuseShort("cCDEn")
                        .refuseLong("clear", "read-clear", "console-off", "console-on", "console-level"));
        m.put(
                "hostname",
                Rule.any().refuseShort("bF").refuseLong("boot", "file").operands(0));
        m.put(
                "date",
                Rule.any().refuseShort("s").refuseLong("set").values("dfr").operandsStartWith("+"));
        m.put(
                "mount",
                Rule.any()
                        .operands(0)
                        .refuseShort("abcdfFiLmnoOrRsStTUvwN")
                        .refuseLong(
                                "all",
                                "bind",
                                "rbind",
                                "move",
                                "options",
                                "read-write",
                                "types",
                                "source",
                                "target",
                                "fake",
                                "fork",
                                "make-shared",
                                "make-private",
                                "make-slave",
                                "make-unbindable",
                                "verbose",
                                "no-mtab",
                                "namespace"));
        m.put("find", Rule.any().refuseWords("-delete", "-exec", "-execdir", "-ok", "-okdir", "-fprint", "-fls"));
        m.put(
                "systemctl",
                Rule.any()
                        .refuseShort("HM")
                        .refuseLong("host", "machine")
                        .values("ptonsP")
                        .subcommands(
                                "status",
                                "is-active",
                                "is-enabled",
                                "is-failed",
                                "list-units",
                                "list-unit-files",
                                "list-timers",
                                "list-sockets",
                                "list-dependencies",
                                "show",
                                "cat"));
        m.put(
                "journalctl",
                Rule.any()
                        .refuseShort("f")
                        .refuseLong(
                                "follow",
                                "vacuum-size",
                                "vacuum-time",
                                "vacuum-files",
                                "rotate",
                                "flush",
                                "sync",
                                "relinquish-var",
                                "smart-relinquish-var",
                                "setup-keys",
                                "update-catalog")
                        .values("uSUpoDMtF")); // required-value options only: -n and -b take optional ones
        m.put("ip", Rule.any()); // checked by IpRule: options, then addr|route|link|neigh, then show|list
        return Map.copyOf(m);
    }

    /** ip: global options, an object, and a listing action; -batch and -force (which run files of commands) refused. */
    static final class IpRule {
        private static final Set<String> OBJECTS =
                Set.of("addr", "address", "a", "route", "r", "ro", "link", "l", "neigh", "neighbour", "n", "rule");
        private static final Set<String> ACTIONS = Set.of("show", "list", "ls", "lst", "sh", "s", "get");
        private static final Set<String> OPTIONS = Set.of(
                "-4",
                "-6",
                "-br",
                "-brief",
                "-j",
                "-json",
                "-s",
                "-stats",
                "-statistics",
                "-d",
                "-details",
                "-c",
                "-color",
                "-o",
                "-oneline",
                "-p",
                "-pretty",
                "-h",
                "-human",
                "-human-readable",
                "-0",
                "-iec",
                "-a",
                "-all");

        static void check(List<ShellWords.Word> args) {
            int i = 0;
            while (i < args.size() && args.get(i).text().startsWith("-")) {
                String o = args.get(i).text();
                if (!OPTIONS.contains(o)) {
                    throw ReadOnlyCommands.refused("ip " + FleetException.quote(o)
                            + " (read-only ip options: -4 -6 -br -j -s -d -c -o " + "-p -h)");
                }
                i++;
            }
            if (i >= args.size() || !OBJECTS.contains(args.get(i).text())) {
                throw ReadOnlyCommands.refused("ip "
                        + (i < args.size() ? FleetException.quote(args.get(i).text()) : "with no object")
                        + " (read-only: ip addr|route|link|neigh|rule [show])");
            }
            i++;
            if (i < args.size()
                    && !ACTIONS.contains(args.get(i).text())
                    && !args.get(i).text().equals("dev")) {
                throw ReadOnlyCommands.refused("ip " + args.get(i - 1).text() + " "
                        + FleetException.quote(args.get(i).text()) + " (read-only actions: show, list, get)");
            }
        }
    }
}
