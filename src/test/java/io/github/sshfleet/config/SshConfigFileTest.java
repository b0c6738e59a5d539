package io.github.sshfleet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host aliases from an OpenSSH client config become machines; the hosts file wins clashes; gaps are reported. */
class SshConfigFileTest {

    @TempDir
    Path home;

    @Test
    @RequiresSshd
    void aliasesResolveLikeSshAndKeysFromHostStarLogIn() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        Path sshConfig = Files.writeString(home.resolve("ssh_config"), """
                # defaults first apply to everything below, as ssh reads them
                Host box-a
                  HostName %s
                  Port %d
                Host box-b box-c
                  HostName %s
                  Port %d
                Host jumpy
                  HostName 10.1.1.1
                  ProxyJump box-a
                Host chained
                  HostName 10.1.1.2
                  ProxyJump box-a,box-b
                Host viauser
                  HostName 10.1.1.3
                  ProxyJump ops@10.0.0.1:2200
                Host badjump
                  ProxyJump not/valid
                Match exec "test -e /nonexistent"
                  User nobody
                Host fleet-1
                  HostName 10.9.9.9
                Host *
                  User %s
                  IdentityFile %s
                  Port 2222
                """.formatted(
                        SshdFleet.ip(2), sshd.port, SshdFleet.ip(3), sshd.port, SshdFleet.NP_USER, sshd.keyEd25519));
        Path dir = Files.createDirectories(home.resolve("cfg"));
        try (FleetServices fleet = Fleets.open(
                sshd.writeConfig(dir, sshd.standardHosts(), "ssh_config: " + sshConfig + "\nssh_agent: off\n"), home)) {
            Set<String> names =
                    fleet.machines().machines().stream().map(Machine::name).collect(Collectors.toSet());
            assertTrue(names.containsAll(Set.of("box-a", "box-b", "box-c", "fleet-1")), names.toString());
            assertEquals("box-a", fleet.machines().one("jumpy").jump(), "one-hop ProxyJump becomes the jump host");
            assertEquals("box-a,box-b", fleet.machines().one("chained").jump());
            assertEquals("ops@10.0.0.1:2200", fleet.machines().one("viauser").jump());
            Machine hop = fleet.machines().jumpHost("ops@10.0.0.1:2200");
            assertEquals("10.0.0.1", hop.host());
            assertEquals(2200, hop.port());
            assertFalse(names.contains("badjump"), "an invalid hop leaves the host out, reported");
            Machine a = fleet.machines().one("box-a");
            assertEquals(Machine.Origin.SSH_CONFIG, a.origin());
            assertEquals(SshdFleet.NP_USER, a.username(), "User from Host * applies");
            assertEquals(sshd.port, a.port(), "the first Port found wins over Host *'s");
            assertEquals(sshd.keyEd25519.toString(), a.keyFile());
            assertNull(a.password());
            assertEquals(
                    Machine.Origin.HOSTS_FILE, fleet.machines().one("fleet-1").origin(), "hosts file wins");
            String problems = fleet.machines().problems().toString();
            assertTrue(problems.contains("Match") && problems.contains("not/valid"), problems);

            CommandResult r = fleet.runner().run(a, "whoami", Duration.ofSeconds(20), false, 4096);
            assertNull(r.failure(), () -> r.failure().getMessage());
            assertEquals(SshdFleet.NP_USER + "\n", r.stdout());
        }
    }

    @Test
    void patternMatchingFollowsSsh() {
        assertTrue(SshConfigFile.matches("web-1", List.of("web-*")));
        assertFalse(SshConfigFile.matches("web-1", List.of("web-*", "!web-1")));
        assertTrue(SshConfigFile.matches("db", List.of("d?")));
        assertFalse(SshConfigFile.matches("db", List.of("!db")));
    }

    static Map<String, HostEntry> byName(SshConfigFile.Parsed p) {
        Map<String, HostEntry> m = new java.util.HashMap<>();
        p.entries().forEach(e -> m.put(e.name(), e));
        return m;
    }

    @Test
    void includeIsReadWhereItStandsAndMatchAppliesAsSshsFirstPass() throws Exception {
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Files.createDirectories(ssh.resolve("config.d"));
        Files.createDirectories(home.resolve("extra"));
        Files.writeString(ssh.resolve("config.d/a.conf"), "Host inc-a\n  HostName 10.0.2.1\n  User alice\n");
        Files.writeString(ssh.resolve("config.d/b.conf"), "Host inc-b\n  HostName 10.0.2.2\n  Include ~/extra/deep\n");
        Files.writeString(ssh.resolve("config.d/notes.txt"), "Host not-included\n");
        Files.writeString(home.resolve("extra/deep"), "Port 2222\n"); // belongs to Host inc-b, where it was included
        Files.writeString(ssh.resolve("loop.conf"), "Include loop.conf\n");
        Path config = Files.writeString(ssh.resolve("config"), """
                Include config.d/*.conf
                Include loop.conf missing.conf
                Host web-1
                  HostName 10.0.1.1
                  User deploy
                Host web-2
                  HostName 10.0.1.2
                Match originalhost web-* user deploy
                  Port 2201
                Match host 10.0.1.*,!10.0.1.1
                  IdentityAgent none
                  Port 2202
                Match localuser me all
                  ServerAliveInterval 5
                Match exec "true"
                  User root
                Host *
                  User admin
                """);
        SshConfigFile.Parsed p = SshConfigFile.read(config, home, "me");
        Map<String, HostEntry> m = byName(p);
        assertEquals(Set.of("inc-a", "inc-b", "web-1", "web-2"), m.keySet(), "a .txt is not *.conf");
        assertEquals("10.0.2.1", m.get("inc-a").address());
        assertEquals("alice", m.get("inc-a").username());
        assertEquals(2222, m.get("inc-b").port(), "an option in an included file belongs to the block around it");
        assertEquals("admin", m.get("inc-b").username(), "the block is restored after the Include: Host * applies");
        assertEquals(2201, m.get("web-1").port(), "Match originalhost + user, with the user resolved so far");
        assertEquals("deploy", m.get("web-1").username());
        assertEquals(2202, m.get("web-2").port(), "Match host sees the HostName; its negation keeps web-1 out");
        assertEquals("admin", m.get("web-2").username(), "Match exec is not run and its block not applied");
        String problems = p.problems().toString();
        assertTrue(problems.contains("Match exec"), problems);
        assertTrue(problems.contains("nested deeper than 16 levels"), problems);
        assertTrue(problems.contains("missing.conf") && problems.contains("included file not read"), problems);
    }

    @Test
    void certificateFileIsTheKeysCertificateAndAMissingOneIsReported() throws Exception {
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(ssh.resolve("id_web"), "a key\n");
        Files.writeString(ssh.resolve("10.0.3.1-deploy-cert.pub"), "a certificate\n");
        Path config = Files.writeString(ssh.resolve("config"), """
                Host web
                  HostName 10.0.3.1
                  User deploy
                  IdentityFile ~/.ssh/id_web
                  CertificateFile ~/.ssh/%h-%r-cert.pub
                Host db
                  HostName 10.0.3.2
                  IdentityFile ~/.ssh/id_web
                  CertificateFile ~/.ssh/nowhere-cert.pub
                """);
        SshConfigFile.Parsed p = SshConfigFile.read(config, home, "me");
        Map<String, HostEntry> m = byName(p);
        assertEquals(
                ssh.resolve("10.0.3.1-deploy-cert.pub").toString(),
                m.get("web").certFile(),
                "%h is the HostName, %r the user");
        assertEquals(null, m.get("db").certFile());
        assertTrue(
                p.problems().toString().contains("nowhere-cert.pub does not exist"),
                p.problems().toString());
    }

    @Test
    void proxyCommandAndProxyJumpCompeteAsInSshAndNoneMeansDirect() throws Exception {
        Path config = Files.writeString(home.resolve("proxy_config"), """
                Host via-cmd
                  HostName 10.0.4.1
                  ProxyCommand nc -X connect -x proxy.corp:3128 %h %p
                Host jump-first
                  HostName 10.0.4.2
                  ProxyJump bastion
                  ProxyCommand nc %h %p
                Host cmd-none
                  HostName 10.0.4.3
                  ProxyCommand none
                Host bad-token
                  HostName 10.0.4.4
                  ProxyCommand nc %h %k
                Host fdpass
                  HostName 10.0.4.5
                  ProxyCommand /usr/lib/fdpass-helper %h %p
                  ProxyUseFdpass yes
                Host *
                  ProxyCommand ssh -W %h:%p gateway
                """);
        SshConfigFile.Parsed p = SshConfigFile.read(config, home, "me");
        Map<String, HostEntry> m = byName(p);
        assertEquals("nc -X connect -x proxy.corp:3128 %h %p", m.get("via-cmd").proxyCommand());
        assertEquals("bastion", m.get("jump-first").jump(), "the first of the two wins");
        assertEquals(null, m.get("jump-first").proxyCommand());
        assertEquals(null, m.get("cmd-none").proxyCommand(), "none: direct, and Host * cannot add one back");
        assertEquals(null, m.get("cmd-none").jump());
        assertTrue(
                !m.containsKey("bad-token") && p.problems().toString().contains("%k"),
                p.problems().toString());
        assertTrue(
                !m.containsKey("fdpass") && p.problems().toString().contains("ProxyUseFdpass yes"),
                "a command that passes a socket back would never carry the session: " + p.problems());
    }

    /** The same file through `ssh -G` (OpenSSH's own resolution) and through SshConfigFile: the same answers. */
    @Test
    void includeAndMatchResolveAsSshDashGSays() throws Exception {
        Path ssh = Path.of("/usr/bin/ssh");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(ssh), "SKIPPED (needs the OpenSSH client for ssh -G): /usr/bin/ssh missing");
        Path d = Files.createDirectories(home.resolve("g"));
        Files.createDirectories(d.resolve("conf.d"));
        Files.writeString(d.resolve("conf.d/10-web.conf"), "Host web-*\n  User deploy\n  Port 2201\n");
        Files.writeString(d.resolve("conf.d/20-db.conf"), "Host db-1\n  HostName 10.9.0.5\n");
        String me = System.getProperty("user.name");
        Path config = Files.writeString(d.resolve("config"), """
                Host web-1 web-2 db-1 cache-1
                Include %s/conf.d/*.conf
                Host web-2
                  HostName 10.9.0.2
                Match host 10.9.0.*
                  Port 2202
                Match originalhost cache-* localuser %s
                  User cacheop
                  HostName 10.9.1.1
                Host *
                  User admin
                """.formatted(d, me));
        SshConfigFile.Parsed p = SshConfigFile.read(config, home, me);
        Map<String, HostEntry> m = byName(p);
        for (String alias : List.of("web-1", "web-2", "db-1", "cache-1")) {
            Process g = new ProcessBuilder(ssh.toString(), "-G", "-F", config.toString(), alias)
                    .redirectErrorStream(true)
                    .start();
            String out = new String(g.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(g.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && g.exitValue() == 0, out);
            Map<String, String> said = new java.util.HashMap<>();
            out.lines().map(l -> l.split(" ", 2)).filter(kv -> kv.length == 2).forEach(kv -> said.put(kv[0], kv[1]));
            HostEntry e = m.get(alias);
            assertEquals(said.get("hostname"), e.address(), alias + " hostname");
            assertEquals(said.get("user"), e.username(), alias + " user");
            assertEquals(said.get("port"), Integer.toString(e.port() == 0 ? 22 : e.port()), alias + " port");
        }
    }
}
