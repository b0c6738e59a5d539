package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.testing.ControlledSshd;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshKeygen;
import io.github.sshfleet.testing.SshdFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * User certificates against a real sshd that trusts only a user CA (TrustedUserCAKeys, AuthorizedKeysFile none): the
 * key alone is refused, the key with its certificate logs in (beside the key as ssh looks for it, or named by cert=),
 * and an expired certificate is reported with its validity window before any connection.
 */
@RequiresSshd
class UserCertificateTest {

    @TempDir
    static Path dir;

    static SshdFleet sshd;
    static ControlledSshd caOnly;

    @BeforeAll
    static void start() throws Exception {
        sshd = SshdFleet.get();
        SshKeygen.key(dir, "user-ca");
        caOnly = sshd.controlled(
                "user-ca-" + System.nanoTime(),
                List.of("127.0.6.20"),
                List.of("TrustedUserCAKeys " + dir.resolve("user-ca.pub"), "AuthorizedKeysFile none"));
        for (String k : List.of("beside", "named", "expired", "bare", "agent")) {
            SshKeygen.key(dir, k);
        }
        sign("beside", "-5m:+1h");
        sign("named", "-5m:+1h");
        Files.move(dir.resolve("named-cert.pub"), dir.resolve("elsewhere.cert"));
        sign("expired", "20200101:20200102");
        sign("agent", "-5m:+1h");
    }

    static void sign(String key, String validity) throws Exception {
        SshKeygen.run(
                "-q",
                "-s",
                dir.resolve("user-ca").toString(),
                "-I",
                key,
                "-n",
                SshdFleet.NP_USER,
                "-V",
                validity,
                dir.resolve(key + ".pub").toString());
    }

    @AfterAll
    static void stop() {
        if (caOnly != null) {
            caOnly.close();
        }
    }

    static String line(String name, String options) {
        return name + "\t127.0.6.20:" + caOnly.port() + "\t" + SshdFleet.NP_USER + "\t" + options + "\n";
    }

    @Test
    void theCertificateIsWhatLogsInAndAnExpiredOneIsReportedBeforeConnecting(@TempDir Path home) throws Exception {
        String hosts = line("beside", "key=" + dir.resolve("beside"))
                + line("named", "key=" + dir.resolve("named") + "\tcert=" + dir.resolve("elsewhere.cert"))
                + line("expired", "key=" + dir.resolve("expired"))
                + line("bare", "key=" + dir.resolve("bare"));
        Path cfg = sshd.writeConfig(home.resolve("cfg"), hosts, "host_key_policy: accept-new\nssh_agent: off\n");
        try (FleetServices fleet = Fleets.open(cfg, home)) {
            for (String ok : List.of("beside", "named")) {
                CommandResult r = run(fleet, ok);
                assertNull(r.failure(), () -> ok + ": " + r.failure().getMessage());
                assertEquals(SshdFleet.NP_USER + "\n", r.stdout());
            }
            CommandResult bare = run(fleet, "bare");
            assertNotNull(bare.failure(), "the host trusts only the CA: a key without certificate must not log in");
            assertEquals(FleetException.Kind.AUTH_FAILED, bare.failure().kind());

            long start = System.nanoTime();
            CommandResult expired = run(fleet, "expired");
            assertNotNull(expired.failure());
            String why = expired.failure().getMessage();
            assertEquals(FleetException.Kind.AUTH_FAILED, expired.failure().kind(), why);
            assertTrue(why.contains("valid from 2020-01-01") && why.contains("not connecting"), why);
            assertTrue(why.contains(dir.resolve("expired-cert.pub").toString()), why);
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "no connect attempt to wait for");
        }
    }

    /** ssh-add loads a key's -cert.pub with it; the agent then offers the certificate, and that logs in. */
    @Test
    void aCertificateHeldByTheAgentLogsIn(@TempDir Path home) throws Exception {
        Path socket = home.resolve("agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("agent.log").toFile())
                .start();
        try {
            for (int i = 0; i < 50 && !Files.exists(socket); i++) {
                Thread.sleep(100);
            }
            ProcessBuilder add =
                    new ProcessBuilder("ssh-add", dir.resolve("agent").toString()).redirectErrorStream(true);
            add.environment().put("SSH_AUTH_SOCK", socket.toString());
            Process p = add.start();
            String said = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, said);
            assertTrue(said.contains("Certificate added"), "ssh-add took the certificate too: " + said);
            Path cfg = sshd.writeConfig(
                    home.resolve("cfg"),
                    line("from-agent", "").replace("\t\n", "\n"),
                    "host_key_policy: accept-new\nssh_agent: " + socket + "\n");
            try (FleetServices fleet = Fleets.open(cfg, home)) {
                CommandResult r = run(fleet, "from-agent");
                assertNull(r.failure(), () -> r.failure().getMessage());
                assertEquals(SshdFleet.NP_USER + "\n", r.stdout());
            }
        } finally {
            agent.destroy();
        }
    }

    static CommandResult run(FleetServices fleet, String host) {
        return fleet.runner().run(fleet.machines().one(host), "whoami", Duration.ofSeconds(20), false, 4096);
    }
}
