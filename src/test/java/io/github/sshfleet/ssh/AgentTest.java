package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key login through a real ssh-agent started by the test (OpenSSH's), over its Unix socket. */
@RequiresSshd
class AgentTest {

    static SshdFleet sshd;
    static Process agent;
    static Path socket;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        sshd = SshdFleet.get();
        socket = tmp.resolve("agent.sock");
        agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("agent.log").toFile())
                .start();
        for (int i = 0; i < 50 && !Files.exists(socket); i++) {
            Thread.sleep(100);
        }
        ProcessBuilder add = new ProcessBuilder("ssh-add", sshd.keyEd25519.toString()).redirectErrorStream(true);
        add.environment().put("SSH_AUTH_SOCK", socket.toString());
        Process p = add.start();
        String said = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0, "ssh-add failed: " + said);
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.destroy();
        }
    }

    FleetServices fleet(String agentSetting) throws Exception {
        String hosts = sshd.line("agent-only", 2, SshdFleet.NP_USER, "") + "\n";
        Path dir = Files.createTempDirectory(tmp, "cfg");
        return Fleets.open(sshd.writeConfig(dir, hosts, "ssh_agent: " + agentSetting + "\n"), dir);
    }

    @Test
    void aKeyHeldByTheAgentLogsIn() throws Exception {
        try (FleetServices f = fleet(socket.toString())) {
            CommandResult r =
                    f.runner().run(f.machines().one("agent-only"), "whoami", Duration.ofSeconds(20), false, 4096);
            assertNull(r.failure(), () -> r.failure().getMessage());
            assertEquals(SshdFleet.NP_USER + "\n", r.stdout());
        }
    }

    @Test
    void withoutTheAgentTheErrorSaysHowToGiveCredentials() throws Exception {
        try (FleetServices f = fleet("off")) {
            CommandResult r =
                    f.runner().run(f.machines().one("agent-only"), "whoami", Duration.ofSeconds(20), false, 4096);
            assertEquals(FleetException.Kind.AUTH_FAILED, r.failure().kind());
            assertTrue(
                    r.failure().getMessage().contains("credentials set agent-only"),
                    r.failure().getMessage());
        }
    }
}
