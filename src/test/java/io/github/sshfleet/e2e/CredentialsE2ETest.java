package io.github.sshfleet.e2e;

import static io.github.sshfleet.testing.JarServer.call;
import static io.github.sshfleet.testing.JarServer.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `credentials set` through the JAR's CLI, then the server using the stored password; a wrong master password. */
@RequiresSshd
class CredentialsE2ETest {

    @TempDir
    Path home;

    record Run(int exit, String out) {}

    Run cli(String master, String stdin, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(JarServer.command(args)).redirectErrorStream(true);
        pb.environment().put("HOME", home.toString());
        if (master == null) {
            pb.environment().remove("SSH_FLEET_MASTER_PASSWORD");
        } else {
            pb.environment().put("SSH_FLEET_MASTER_PASSWORD", master);
        }
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    @Test
    void storedPasswordsAreUsedAndAWrongMasterPasswordChangesNothing() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        Run set = cli("correct horse", sshd.npPassword + "\n", "credentials", "set", "vault-1");
        assertEquals(0, set.exit(), set.out());
        assertFalse(set.out().contains(sshd.npPassword), "the secret is never echoed");
        Path store = home.resolve(".ssh-fleet/credentials.enc");
        byte[] before = Files.readAllBytes(store);
        Run wrong = cli("battery staple", "", "credentials", "list");
        assertEquals(1, wrong.exit());
        assertTrue(wrong.out().contains("wrong master password"), wrong.out());
        assertArrayEquals(before, Files.readAllBytes(store));
        assertEquals(
                List.of("vault-1"),
                cli("correct horse", "", "credentials", "list").out().lines().toList());
        // Piped stdin and no master password in the environment: refused, nothing written.
        Run piped = cli(null, "a-machine-password\n", "credentials", "set", "vault-2");
        assertEquals(2, piped.exit(), piped.out());
        assertTrue(piped.out().contains("set SSH_FLEET_MASTER_PASSWORD"), piped.out());
        assertArrayEquals(before, Files.readAllBytes(store));

        // A hosts line with a user and no password: the store supplies it.
        Path config = sshd.writeConfig(home.resolve("cfg"), sshd.line("vault-1", 2, SshdFleet.NP_USER, "") + "\n", "");
        McpSyncClient c = JarServer.client(
                config, home, p -> {}, List.of(), Map.of("SSH_FLEET_MASTER_PASSWORD", "correct horse"));
        try {
            CallToolResult r = call(c, "exec", Map.of("host", "vault-1", "command", "whoami"));
            assertFalse(r.isError(), text(r));
            assertTrue(text(r).contains(SshdFleet.NP_USER));
        } finally {
            c.closeGracefully();
        }
    }
}
