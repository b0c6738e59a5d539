package io.github.sshfleet.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.policy.Policy.Action;
import io.github.sshfleet.policy.Policy.Kind;
import io.github.sshfleet.policy.Policy.Mode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The decisions themselves, without a machine: rule matching, modes, first match, write_paths. */
class PolicyTest {

    static List<CommandRule> rules(String... texts) {
        return java.util.Arrays.stream(texts)
                .map(t -> {
                    CommandRule.Result r = CommandRule.parse(t);
                    assertTrue(r.rule() != null, t + ": " + r.problem());
                    return r.rule();
                })
                .toList();
    }

    static Policy.Entry entry(String machine, Mode mode, List<CommandRule> allow, List<CommandRule> deny) {
        return new Policy.Entry(1, List.of(machine), mode, allow, deny, List.of("/srv/www"), false, List.of());
    }

    /** The refusal on machine "m", which every entry's machines: ("m") selects. */
    static Optional<FleetException> on(Policy.Entry e, Action a) {
        return new Policy(List.of(e), true).refusal("m", "m"::equals, a);
    }

    static Optional<FleetException> cmd(Policy.Entry e, String command) {
        return on(e, Action.command("exec", command));
    }

    @Test
    void allowRulesMatchLikeSudoers() {
        Policy.Entry e = entry(
                "m",
                Mode.RESTRICTED,
                rules("uptime", "systemctl restart nginx", "journalctl -u nginx *", "df"),
                List.of());
        for (String ok : List.of(
                "uptime",
                "uptime -p",
                "systemctl restart nginx",
                "journalctl -u nginx",
                "journalctl -u nginx -n 50",
                "df -h / | uptime")) {
            assertTrue(cmd(e, ok).isEmpty(), ok + " -> " + cmd(e, ok));
        }
        for (String no : List.of(
                "systemctl restart nginx postgres", // an allow rule with words is exact
                "systemctl restart",
                "systemctl stop nginx",
                "journalctl -u sshd",
                "uptime | rm -rf /tmp/x", // every stage must be allowed
                "uptime; rm -rf /tmp/x", // not a plain pipeline
                "uptime && reboot",
                "df $(reboot)",
                "echo hi")) {
            Optional<FleetException> r = cmd(e, no);
            assertTrue(r.isPresent(), no + " was allowed");
            assertEquals(FleetException.Kind.POLICY, r.get().kind());
            assertTrue(
                    r.get().getMessage().contains("Nothing ran on m")
                            && r.get().getMessage().contains("policy entry 1"),
                    r.get().getMessage());
        }
        assertTrue(
                cmd(e, "echo hi").get().getMessage().contains("'echo hi' matches no allow rule"),
                cmd(e, "echo hi").get().getMessage());
    }

    @Test
    void denyRulesApplyInEveryModeAndFindWordsAnywhereInTheStage() {
        List<CommandRule> deny = rules("rm -r", "systemctl stop", "reboot");
        Policy.Entry full = entry("m", Mode.FULL, List.of(), deny);
        for (String no : List.of(
                "rm -r /srv",
                "rm -fr /srv", // a cluster holding -r
                "rm -f -r /srv",
                "ls | rm -r /x",
                "systemctl --now stop nginx",
                "reboot",
                "reboot now")) {
            assertTrue(cmd(full, no).isPresent(), no + " was allowed");
            assertTrue(
                    cmd(full, no).get().getMessage().contains("deny rule"),
                    cmd(full, no).get().getMessage());
        }
        for (String ok : List.of("rm -f /tmp/x", "systemctl status nginx", "ls -r", "echo reboot")) {
            assertTrue(cmd(full, ok).isEmpty(), ok + " -> " + cmd(full, ok));
        }
        // What cannot be split into words cannot be checked against deny rules: refused (fail closed).
        Optional<FleetException> opaque = cmd(full, "cd / && rm -r srv");
        assertTrue(opaque.isPresent());
        assertTrue(
                opaque.get().getMessage().contains("deny rules apply there"),
                opaque.get().getMessage());
        // Without deny rules, full mode runs anything.
        assertTrue(cmd(entry("m", Mode.FULL, List.of(), List.of()), "cd / && rm -r srv")
                .isEmpty());
        // Deny also binds exec_readonly's commands in readonly mode.
        Policy.Entry ro = entry("m", Mode.READONLY, List.of(), rules("cat"));
        assertTrue(on(ro, new Action("exec_readonly", Kind.READ, "cat /etc/shadow", List.of()))
                .isPresent());
        assertTrue(on(ro, new Action("exec_readonly", Kind.READ, "df -h", List.of()))
                .isEmpty());
    }

    @Test
    void readonlyModeLetsOnlyReadsThrough() {
        Policy.Entry e = entry("m", Mode.READONLY, List.of(), List.of());
        assertTrue(on(e, Action.read("list_dir")).isEmpty());
        for (Action a : List.of(
                Action.command("exec", "ls"),
                Action.of("run_script", Kind.SCRIPT),
                Action.write("write_file", List.of("/srv/www/x")),
                Action.of("tmux_kill", Kind.CONTROL))) {
            Optional<FleetException> r = on(e, a);
            assertTrue(r.isPresent(), a + " was allowed");
            assertTrue(
                    r.get().getMessage().startsWith(a.tool() + " refused on m"),
                    r.get().getMessage());
            assertTrue(r.get().getMessage().contains("exec_readonly"), r.get().getMessage());
        }
    }

    @Test
    void restrictedWritesOnlyUnderWritePathsAndScriptsOnlyWhenAllowed() {
        Policy.Entry e = entry("m", Mode.RESTRICTED, List.of(), List.of());
        assertTrue(on(e, Action.write("write_file", List.of("/srv/www/index.html")))
                .isEmpty());
        assertTrue(on(e, Action.write("upload", List.of("/srv/www"))).isEmpty());
        for (String outside :
                List.of("/srv/www2/x", "/srv/www/../../etc/passwd", "/etc/passwd", "www/x", "~/x", "/srv/./www/../x")) {
            assertTrue(on(e, Action.write("write_file", List.of(outside))).isPresent(), outside);
        }
        assertTrue(on(e, Action.of("run_script", Kind.SCRIPT)).isPresent());
        Policy.Entry scripts =
                new Policy.Entry(1, List.of("m"), Mode.RESTRICTED, List.of(), List.of(), List.of(), true, List.of());
        assertTrue(on(scripts, Action.of("run_script", Kind.SCRIPT)).isEmpty());
        assertTrue(on(e, Action.of("tmux_kill", Kind.CONTROL)).isEmpty(), "restricted limits commands and writes");
        // Keys could re-run the pane's history (Up, Enter); text goes through tmux_paste, checked as a command.
        assertTrue(on(e, Action.of("tmux_send_keys", Kind.KEYS))
                .orElseThrow()
                .getMessage()
                .contains("tmux_paste"));
        assertTrue(on(entry("m", Mode.READONLY, List.of(), List.of()), Action.of("tmux_send_keys", Kind.KEYS))
                .isPresent());
        assertTrue(on(entry("m", Mode.FULL, List.of(), List.of()), Action.of("tmux_send_keys", Kind.KEYS))
                .isEmpty());
        // An allowed command with env PATH=/tmp/x would run /tmp/x/uptime: restricted refuses env.
        Policy.Entry uptime = entry("m", Mode.RESTRICTED, rules("uptime"), List.of());
        assertTrue(on(uptime, Action.command("exec", "uptime")).isEmpty());
        Optional<FleetException> withEnv =
                on(uptime, Action.command("exec", "uptime").withEnv(List.of("PATH")));
        assertTrue(withEnv.orElseThrow().getMessage().contains("env (PATH)"), withEnv.toString());
    }

    @Test
    void theFirstEntryThatSelectsAMachineDecidesAndNoneMeansFull() {
        Policy p = new Policy(
                List.of(
                        new Policy.Entry(
                                1, List.of("db"), Mode.READONLY, List.of(), List.of(), List.of(), false, List.of()),
                        new Policy.Entry(
                                2, List.of("db", "web"), Mode.FULL, List.of(), List.of(), List.of(), false, List.of())),
                true);
        assertTrue(p.refusal("db", "db"::equals, Action.command("exec", "ls")).isPresent());
        assertTrue(p.refusal("web", "web"::equals, Action.command("exec", "ls")).isEmpty());
        assertTrue(p.refusal("other", "other"::equals, Action.command("exec", "ls"))
                .isEmpty());
        assertEquals(2, p.entryFor("web"::equals).orElseThrow().index());
        assertFalse(p.entryFor("other"::equals).isPresent());
    }

    @Test
    void aRuleIsAProgramAndPlainWords() {
        assertTrue(CommandRule.parse("systemctl restart nginx").rule() != null);
        assertTrue(CommandRule.parse("journalctl -u nginx *").rule() != null);
        assertTrue(CommandRule.parse("mkfs*").rule() != null, "a word may end in its only wildcard");
        assertTrue(CommandRule.parse("dd of=/dev/*").rule() != null);
        for (String bad : List.of("", "rm; reboot", "ls | rm", "rm -r*x", "r?m", "/bin/rm", "echo $HOME", "a * b")) {
            CommandRule.Result r = CommandRule.parse(bad);
            assertTrue(r.rule() == null, bad + " was accepted");
            assertTrue(r.problemText().isPresent(), bad);
        }
    }

    @Test
    void anEntryNamingAnUndefinedGroupIsReported() {
        Policy p = new Policy(
                List.of(new Policy.Entry(
                        1, List.of("@web", "db-1"), Mode.READONLY, List.of(), List.of(), List.of(), false, List.of())),
                true);
        assertEquals(1, p.undefinedGroups(java.util.Set.of("db")).size());
        assertTrue(p.undefinedGroups(java.util.Set.of("db")).get(0).contains("names @web"));
        assertTrue(p.undefinedGroups(java.util.Set.of("web")).isEmpty());
    }

    static Optional<String> confirm(Policy p, String command) {
        return p.confirmation("m"::equals, Action.command("exec", command));
    }

    @Test
    void theBuiltInConfirmSetFindsDestructiveCommandsAnywhereInTheLine() {
        Policy p = Policy.none();
        for (String ask : List.of(
                "rm -rf /srv/app",
                "rm -f -R /srv/app",
                "cd / && rm -r srv",
                "ls; /sbin/reboot",
                "sudo -u root rm -r /x",
                "find /tmp -name '*.log' -exec rm -r {} +",
                "xargs -0 rm -R < list",
                "bash -c 'systemctl --now stop nginx'",
                "su -c \"shutdown -h now\"",
                "echo \"$(reboot)\"",
                "eval poweroff",
                "mkfs.ext4 /dev/sdb1",
                "dd if=/dev/zero of=/dev/sda bs=1M",
                "kill -9 1",
                "iptables -F",
                "userdel bob",
                "chown -R nobody /",
                "x=1\nreboot\n")) {
            assertTrue(confirm(p, ask).isPresent(), ask + " was not confirmed");
            assertTrue(
                    confirm(p, ask).get().startsWith("the built-in confirm rule"),
                    confirm(p, ask).get());
        }
        for (String quiet : List.of(
                "rm -f /tmp/x",
                "grep reboot /var/log/syslog",
                "echo rm -r",
                "ls -r",
                "systemctl status nginx",
                "dd if=/dev/sda of=/tmp/disk.img",
                "chown -R app /srv/app",
                "kill -9 1234")) {
            assertTrue(confirm(p, quiet).isEmpty(), quiet + " -> " + confirm(p, quiet));
        }
        assertTrue(p.confirmation("m"::equals, Action.write("write_file", List.of("/etc/nginx/nginx.conf")))
                .isPresent());
        assertTrue(p.confirmation("m"::equals, Action.write("write_file", List.of("/srv/www/x")))
                .isEmpty());
        assertTrue(p.confirmation("m"::equals, new Action("run_script", Kind.SCRIPT, "set -e\nreboot\n", List.of()))
                .isPresent());
    }

    @Test
    void confirmDefaultsOffLeavesOnlyTheEntrysOwnConfirmRules() {
        Policy.Entry e = new Policy.Entry(
                1, List.of("m"), Mode.FULL, List.of(), List.of(), List.of(), false, rules("apt-get remove"));
        Policy off = new Policy(List.of(e), false);
        assertTrue(confirm(off, "reboot").isEmpty());
        assertTrue(confirm(off, "sudo apt-get -y remove nginx")
                .orElseThrow()
                .contains("'apt-get remove' of policy entry 1"));
        assertTrue(off.confirmation("m"::equals, Action.write("write_file", List.of("/etc/x")))
                .isEmpty());
        Policy on = new Policy(List.of(e), true);
        assertTrue(confirm(on, "reboot").isPresent());
    }
}
