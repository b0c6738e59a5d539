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
                Match host foo
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
}
