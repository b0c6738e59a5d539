package io.github.sshfleet.policy;

import io.github.sshfleet.core.FleetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The operator's policy (policy: in config.yaml) and the one place that decides whether a tool may act on a machine.
 * Entries are tried in order and the first whose {@code machines} select the machine applies; a machine no entry
 * selects is {@code full}. What a tool is about to do is an {@link Action}; the answer is empty (go ahead) or the
 * refusal, which always says that nothing ran, which entry decided, and what to use instead.
 */
public final class Policy {

    public enum Mode {
        /** Everything, except commands a deny rule names. */
        FULL,
        /** Only tools that read; exec_readonly's commands still pass the read-only proof. */
        READONLY,
        /** Commands only as the allow rules say, scripts only with allow_scripts, writes only under write_paths. */
        RESTRICTED;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a tool call is about to do on a machine. */
    public enum Kind {
        /** Reads (list_dir, read_file, tmux_capture, download, exec_readonly's proven command). */
        READ,
        /** Runs a command line (exec, sudo_exec, shell_run, tmux_paste, tmux_new, render_command). */
        COMMAND,
        /** Runs a script body that is not parsed (run_script). */
        SCRIPT,
        /** Writes remote paths (write_file, upload, sync to the host). */
        WRITE,
        /** Changes state without a command line (shell_open, tmux_kill, forward_start). */
        CONTROL,
        /**
         * Keys into a terminal (tmux_send_keys): Up and Enter re-run whatever the pane's history holds, so restricted
         * and readonly machines refuse them; text goes through tmux_paste, which is checked as a command.
         */
        KEYS
    }

    /**
     * {@code command}: the command line (READ, COMMAND) or script body (SCRIPT), else null; {@code paths}: remote paths
     * a WRITE touches; {@code root}: it runs as root (an approval question says so); {@code env}: names of variables
     * the command gets (exec's env), which restricted mode refuses: PATH or BASH_ENV would change what an allowed
     * command runs.
     */
    public record Action(String tool, Kind kind, String command, List<String> paths, boolean root, List<String> env) {
        public Action {
            paths = paths == null ? List.of() : List.copyOf(paths);
            env = env == null ? List.of() : List.copyOf(env);
        }

        public Action(String tool, Kind kind, String command, List<String> paths) {
            this(tool, kind, command, paths, false, List.of());
        }

        public Action(String tool, Kind kind, String command, List<String> paths, boolean root) {
            this(tool, kind, command, paths, root, List.of());
        }

        public Action asRoot(boolean asRoot) {
            return new Action(tool, kind, command, paths, asRoot, env);
        }

        public Action withEnv(java.util.Collection<String> names) {
            return new Action(tool, kind, command, paths, root, List.copyOf(new java.util.TreeSet<>(names)));
        }

        public static Action read(String tool) {
            return new Action(tool, Kind.READ, null, List.of());
        }

        public static Action command(String tool, String command) {
            return new Action(tool, Kind.COMMAND, command, List.of());
        }

        public static Action write(String tool, List<String> paths) {
            return new Action(tool, Kind.WRITE, null, paths);
        }

        public static Action of(String tool, Kind kind) {
            return new Action(tool, kind, null, List.of());
        }
    }

    /** One policy: entry; {@code index} counts from 1 as the operator reads the file. */
    public record Entry(
            int index,
            List<String> machines,
            Mode mode,
            List<CommandRule> allow,
            List<CommandRule> deny,
            List<String> writePaths,
            boolean allowScripts,
            List<CommandRule> confirm) {
        public Entry {
            machines = List.copyOf(machines);
            allow = List.copyOf(allow);
            deny = List.copyOf(deny);
            writePaths = List.copyOf(writePaths);
            confirm = List.copyOf(confirm);
        }

        /** How --check-config and refusals name it: "policy entry 2 (machines: web-1, web-2; mode restricted)". */
        public String describe() {
            return "policy entry " + index + " (machines: " + String.join(", ", machines) + "; mode "
                    + mode.configName() + ")";
        }
    }

    /**
     * Commands a person approves first, on every machine in every mode unless confirm_defaults: false: the ones that
     * destroy data or take a machine away (matched over every command of the line by {@link CommandScan}).
     */
    static final List<CommandRule> BUILTIN_CONFIRM = java.util.stream.Stream.of(
                    "rm -r",
                    "rm -R",
                    "rm --recursive",
                    "mkfs*",
                    "wipefs",
                    "dd of=/dev/*",
                    "shutdown",
                    "reboot",
                    "poweroff",
                    "halt",
                    "init 0",
                    "init 6",
                    "systemctl stop",
                    "systemctl disable",
                    "systemctl mask",
                    "systemctl reboot",
                    "systemctl poweroff",
                    "systemctl halt",
                    "kill -9 1",
                    "iptables -F",
                    "iptables --flush",
                    "nft flush",
                    "userdel",
                    "chmod -R /",
                    "chown -R /")
            .map(t -> CommandRule.parse(t).rule())
            .toList();

    /** Writes (write_file, upload, sync) under these are confirmed by the built-in set too. */
    static final List<String> CONFIRM_WRITE_ROOTS = List.of("/etc", "/boot", "/usr");

    private final List<Entry> entries;
    private final boolean builtinConfirm;

    public Policy(List<Entry> entries, boolean builtinConfirm) {
        this.entries = List.copyOf(entries);
        this.builtinConfirm = builtinConfirm;
    }

    /** No entries; the built-in confirm set on. */
    public static Policy none() {
        return new Policy(List.of(), true);
    }

    public boolean builtinConfirm() {
        return builtinConfirm;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The entry that applies to a machine; {@code selects} says whether a machines: reference selects it. */
    public Optional<Entry> entryFor(Predicate<String> selects) {
        for (Entry e : entries) {
            if (e.machines().stream().anyMatch(selects)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * Warnings for entries that name a group nobody defines: such a reference selects every machine (fail closed),
     * which the operator should hear about at start and in --check-config, not from a refused call.
     */
    public List<String> undefinedGroups(java.util.Set<String> defined) {
        List<String> out = new ArrayList<>();
        for (Entry e : entries) {
            for (String ref : e.machines()) {
                if (ref.startsWith("@") && !defined.contains(ref.substring(1))) {
                    out.add(e.describe() + " names " + ref + ", which no group defines (groups: in config.yaml or "
                            + "group= in the hosts file); until one does, the entry applies to every machine");
                }
            }
        }
        return out;
    }

    /** Empty: go ahead. Otherwise the POLICY refusal for this machine. */
    public Optional<FleetException> refusal(String machine, Predicate<String> selects, Action a) {
        Optional<Entry> found = entryFor(selects);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Entry e = found.get();
        Optional<String> why = why(e, a);
        return why.map(w -> new FleetException(
                FleetException.Kind.POLICY,
                a.tool() + " refused on " + machine + " by " + e.describe() + ": " + w + ". Nothing ran on " + machine
                        + "."));
    }

    /**
     * Asked once {@link #refusal} let the action through: why a person must approve it first, if they must (which
     * rule, and whose). Empty: go ahead.
     */
    public Optional<String> confirmation(Predicate<String> selects, Action a) {
        Optional<Entry> entry = entryFor(selects);
        if (a.command() != null) {
            List<List<String>> segments = CommandScan.segments(a.command());
            for (List<String> segment : segments) {
                if (builtinConfirm) {
                    for (CommandRule r : BUILTIN_CONFIRM) {
                        if (r.confirms(segment)) {
                            return Optional.of("the built-in confirm rule " + FleetException.quote(r.text()));
                        }
                    }
                }
                if (entry.isPresent()) {
                    for (CommandRule r : entry.get().confirm()) {
                        if (r.confirms(segment)) {
                            return Optional.of("the confirm rule " + FleetException.quote(r.text()) + " of "
                                    + entry.get().describe());
                        }
                    }
                }
            }
        }
        if (a.kind() == Kind.WRITE && builtinConfirm) {
            for (String p : a.paths()) {
                if (under(p, CONFIRM_WRITE_ROOTS)) {
                    return Optional.of("the built-in confirm rule for writes under "
                            + String.join(", ", CONFIRM_WRITE_ROOTS) + " (" + FleetException.quote(p) + ")");
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> why(Entry e, Action a) {
        // Deny rules read words; a script body is not parsed (restricted mode's allow_scripts is its lever).
        if (a.command() != null && a.kind() != Kind.SCRIPT && !e.deny().isEmpty()) {
            Optional<String> denied = denied(e, a.command());
            if (denied.isPresent()) {
                return denied;
            }
        }
        return switch (e.mode()) {
            case FULL -> Optional.empty();
            case READONLY ->
                a.kind() == Kind.READ
                        ? Optional.empty()
                        : Optional.of("only reading tools may act there (exec_readonly, read_file, list_dir, "
                                + "download, tmux_capture)");
            case RESTRICTED -> restricted(e, a);
        };
    }

    private static Optional<String> restricted(Entry e, Action a) {
        switch (a.kind()) {
            case READ, CONTROL -> {
                return Optional.empty();
            }
            case KEYS -> {
                return Optional.of("keys could re-run the pane's history; type commands with tmux_paste, which is "
                        + "checked against the allow rules");
            }
            case SCRIPT -> {
                return e.allowScripts()
                        ? Optional.empty()
                        : Optional.of("scripts are not allowed there (allow_scripts: true allows them)");
            }
            case WRITE -> {
                for (String p : a.paths()) {
                    if (!under(p, e.writePaths())) {
                        return Optional.of(FleetException.quote(p) + " is outside write_paths ("
                                + (e.writePaths().isEmpty() ? "none" : String.join(", ", e.writePaths())) + ")");
                    }
                }
                return Optional.empty();
            }
            default -> { // COMMAND
                if (!a.env().isEmpty()) {
                    return Optional.of("env (" + String.join(", ", a.env()) + ") could change what an allowed command "
                            + "runs (PATH, BASH_ENV); pass values in the command line instead");
                }
                List<List<String>> stages;
                try {
                    stages = stages(a.command());
                } catch (ShellWords.Refused r) {
                    return Optional.of("it takes plain commands and | pipelines, and this one has " + r.getMessage());
                }
                for (List<String> stage : stages) {
                    if (e.allow().stream().noneMatch(rule -> rule.allows(stage))) {
                        return Optional.of(FleetException.quote(String.join(" ", stage)) + " matches no allow rule ("
                                + (e.allow().isEmpty()
                                        ? "none"
                                        : String.join(
                                                ", ",
                                                e.allow().stream()
                                                        .map(CommandRule::text)
                                                        .toList()))
                                + ")");
                    }
                }
                return Optional.empty();
            }
        }
    }

    /**
     * A deny rule can only be checked on words: a command the lexer cannot split into plain stages is refused where
     * deny rules apply, since what it would run cannot be known (fail closed).
     */
    private static Optional<String> denied(Entry e, String command) {
        List<List<String>> stages;
        try {
            stages = stages(command);
        } catch (ShellWords.Refused r) {
            return Optional.of("deny rules apply there, so commands must be plain commands or | pipelines, and "
                    + "this one has " + r.getMessage());
        }
        for (List<String> stage : stages) {
            for (CommandRule rule : e.deny()) {
                if (rule.denies(stage)) {
                    return Optional.of(FleetException.quote(String.join(" ", stage)) + " matches the deny rule "
                            + FleetException.quote(rule.text()));
                }
            }
        }
        return Optional.empty();
    }

    private static List<List<String>> stages(String command) throws ShellWords.Refused {
        List<List<String>> out = new ArrayList<>();
        for (List<ShellWords.Word> stage : ShellWords.pipeline(command)) {
            out.add(stage.stream().map(ShellWords.Word::text).toList());
        }
        return out;
    }

    /** Whether {@code path} is one of {@code roots} or inside one, after resolving . and .. textually. */
    static boolean under(String path, List<String> roots) {
        String p = normalize(path);
        if (p == null) {
            return false;
        }
        for (String root : roots) {
            String r = normalize(root);
            if (r != null && (p.equals(r) || p.startsWith(r.equals("/") ? "/" : r + "/"))) {
                return true;
            }
        }
        return false;
    }

    /** Absolute, with . and .. resolved; null when relative (a relative path's meaning depends on the login dir). */
    static String normalize(String path) {
        if (path == null || !path.startsWith("/")) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (String s : path.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            parts.add(s);
        }
        return "/" + String.join("/", parts);
    }
}
