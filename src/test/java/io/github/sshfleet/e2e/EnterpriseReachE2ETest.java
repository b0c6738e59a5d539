package io.github.sshfleet.e2e;

import static io.github.sshfleet.testing.JarServer.call;
import static io.github.sshfleet.testing.JarServer.text;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.testing.ControlledSshd;
import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshKeygen;
import io.github.sshfleet.testing.SshdFleet;
import io.github.sshfleet.testing.TcpProxy;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates, ProxyCommand and a KRL through the shipped JAR and a real MCP client, at SSH_FLEET_LOG=debug: an sshd
 * whose host key a host CA signed and which trusts only a user CA is reached directly and through a ProxyCommand
 * under host_key_policy strict with nothing but the CA line in known_hosts; list_machines says how each is reached and
 * with which certificate; once the KRL revokes the host certificate's serial, a new connection is refused with that
 * reason. No password reaches the log.
 */
@RequiresSshd
class EnterpriseReachE2ETest {

    @TempDir
    Path dir;

    @Test
    void certifiedHostsDirectAndThroughAProxyThenRevokedByTheKrl() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        String ip = "127.0.6.40";
        String hostCa = SshKeygen.key(dir, "host-ca");
        SshKeygen.key(dir, "user-ca");
        Path hostCert = dir.resolve("host.pub");
        Files.copy(sshd.dir.resolve("host_ed25519.pub"), hostCert);
        SshKeygen.run(
                "-q",
                "-s",
                dir.resolve("host-ca").toString(),
                "-I",
                "enterprise",
                "-h",
                "-n",
                ip,
                "-z",
                "41",
                hostCert.toString());
        SshKeygen.key(dir, "user");
        SshKeygen.run(
                "-q",
                "-s",
                dir.resolve("user-ca").toString(),
                "-I",
                "ops",
                "-n",
                SshdFleet.NP_USER,
                "-V",
                "-5m:+1h",
                dir.resolve("user.pub").toString());
        Path proxy = TcpProxy.write(dir.resolve("enterprise-proxy.sh"));
        Path krl = dir.resolve("revoked.krl");
        Files.writeString(dir.resolve("empty.spec"), "");
        Files.writeString(dir.resolve("serial.spec"), "serial: 41\n");
        SshKeygen.run("-k", "-f", krl.toString(), dir.resolve("empty.spec").toString());

        try (ControlledSshd host = sshd.controlled(
                "enterprise-" + System.nanoTime(),
                List.of(ip),
                List.of(
                        "HostCertificate " + dir.resolve("host-cert.pub"),
                        "TrustedUserCAKeys " + dir.resolve("user-ca.pub"),
                        "AuthorizedKeysFile none",
                        // The password is in the hosts line (so the log can be checked for it) but cannot log in.
                        "Match User " + SshdFleet.NP_USER,
                        "PasswordAuthentication no"))) {
            String target = ip + ":" + host.port() + "\t" + SshdFleet.NP_USER + ":" + sshd.npPassword + "\tkey="
                    + dir.resolve("user");
            Path config = sshd.writeConfig(
                    dir.resolve("cfg"),
                    "certified\t" + target + "\n" + "proxied\t" + target + "\tproxy=" + proxy + " %h %p\n",
                    "host_key_policy: strict\nssh_agent: off\nrevoked_host_keys: " + krl + "\n");
            Files.writeString(
                    dir.resolve("cfg/known_hosts"),
                    "@cert-authority [" + ip + "]:" + host.port() + " " + hostCa + "\n");
            ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
            McpSyncClient c =
                    JarServer.client(config, dir, p -> {}, List.of(), Map.of("SSH_FLEET_LOG", "debug"), log::add);
            try {
                String machines = text(call(c, "list_machines", Map.of()));
                assertTrue(machines.contains("via=ProxyCommand"), machines);
                assertTrue(machines.contains("certificate='ops' valid"), machines);
                for (String m : List.of("certified", "proxied")) {
                    CallToolResult r = call(c, "exec", Map.of("host", m, "command", "whoami"));
                    assertFalse(r.isError(), m + ": " + text(r));
                    assertTrue(text(r).contains(SshdFleet.NP_USER), text(r));
                }

                SshKeygen.run(
                        "-k",
                        "-f",
                        krl.toString(),
                        "-s",
                        dir.resolve("host-ca.pub").toString(),
                        dir.resolve("serial.spec").toString());
                assertFalse(call(c, "disconnect", Map.of("host", "all")).isError());
                for (String m : List.of("certified", "proxied")) {
                    CallToolResult r = call(c, "exec", Map.of("host", m, "command", "whoami"));
                    assertTrue(r.isError(), m + " after the KRL revoked its certificate: " + text(r));
                    assertTrue(text(r).contains("HOST KEY REVOKED for " + m), text(r));
                    assertTrue(text(r).contains("its serial 41 is revoked in " + krl), text(r));
                }
            } finally {
                c.closeGracefully();
            }
            String all = String.join("\n", log);
            assertTrue(all.contains("proxy for proxied: proxy to " + ip), "the proxy's stderr is logged");
            assertTrue(all.contains("DEBUG"), "the log ran at debug");
            assertFalse(all.contains(sshd.npPassword), "no password at debug level");
        }
    }
}
