package io.github.sshfleet.bench;

import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.client.McpSyncClient;
import java.nio.file.Path;

/**
 * What policy: and the audit trail add to a warm exec: two servers on the same fleet, one with audit_log: off and no
 * policy, one with the default audit trail and a three-entry policy whose last entry (the one fleet-2 falls to) has
 * deny rules, so every command is parsed and matched. Calls alternate in batches, so drift hits both alike.
 */
final class GuardrailBench {

    private GuardrailBench() {}

    static void run(SshdFleet sshd, Path dir, int n) throws Exception {
        Path plainCfg = sshd.writeConfig(dir.resolve("plain"), sshd.standardHosts(), "audit_log: off\n");
        Path guardedCfg = sshd.writeConfig(dir.resolve("guarded"), sshd.standardHosts(), """
                policy:
                  - machines: "db-*"
                    mode: readonly
                  - machines: [fleet-1, "web-*"]
                    mode: restricted
                    allow: ["uptime", "df"]
                  - machines: "*"
                    mode: full
                    deny: ["reboot", "rm -r", "systemctl stop", "mkfs"]
                """);
        McpSyncClient plain = JarServer.client(plainCfg, dir.resolve("home-plain"));
        McpSyncClient guarded = JarServer.client(guardedCfg, dir.resolve("home-guarded"));
        for (int i = 0; i < 300; i++) { // warm both JVMs and pools
            Bench.exec(plain, "fleet-2", "true");
            Bench.exec(guarded, "fleet-2", "true");
        }
        long[] a = new long[n];
        long[] b = new long[n];
        for (int i = 0; i < n; i += 100) {
            for (int j = i; j < Math.min(n, i + 100); j++) {
                long s = System.nanoTime();
                Bench.exec(plain, "fleet-2", "true");
                a[j] = System.nanoTime() - s;
            }
            for (int j = i; j < Math.min(n, i + 100); j++) {
                long s = System.nanoTime();
                Bench.exec(guarded, "fleet-2", "true");
                b[j] = System.nanoTime() - s;
            }
        }
        Bench.report("exec 'true', no policy, audit_log: off", a);
        Bench.report("exec 'true', 3-entry policy + audit trail", b);
        java.util.Arrays.sort(a);
        java.util.Arrays.sort(b);
        System.out.printf(
                "%-58s %8.3f ms (median), %.3f ms (mean)%n",
                "  added by policy + audit",
                Bench.ms(b[n / 2] - a[n / 2]),
                Bench.ms(java.util.Arrays.stream(b).sum() / n
                        - java.util.Arrays.stream(a).sum() / n));
        plain.closeGracefully();
        guarded.closeGracefully();
    }
}
