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
        inProcess(dir);
    }

    /** The same two costs without the exec's own jitter around them: the decision and both audit lines, in-process. */
    static void inProcess(Path dir) throws Exception {
        java.util.List<io.github.sshfleet.policy.CommandRule> deny = java.util.stream.Stream.of(
                        "reboot", "rm -r", "systemctl stop", "mkfs")
                .map(t -> io.github.sshfleet.policy.CommandRule.parse(t).rule())
                .toList();
        io.github.sshfleet.policy.Policy policy = new io.github.sshfleet.policy.Policy(
                java.util.List.of(
                        new io.github.sshfleet.policy.Policy.Entry(
                                1,
                                java.util.List.of("db-*"),
                                io.github.sshfleet.policy.Policy.Mode.READONLY,
                                java.util.List.of(),
                                java.util.List.of(),
                                java.util.List.of(),
                                false,
                                java.util.List.of()),
                        new io.github.sshfleet.policy.Policy.Entry(
                                2,
                                java.util.List.of("*"),
                                io.github.sshfleet.policy.Policy.Mode.FULL,
                                java.util.List.of(),
                                deny,
                                java.util.List.of(),
                                false,
                                java.util.List.of())),
                true);
        io.github.sshfleet.policy.Policy.Action action =
                io.github.sshfleet.policy.Policy.Action.command("exec", "systemctl status nginx | head -5");
        int n = 200_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            policy.refusal("fleet-2", ref -> ref.equals("*"), action);
        }
        double decide = (System.nanoTime() - t0) / 1e3 / n;
        io.github.sshfleet.audit.AuditLog audit = io.github.sshfleet.audit.AuditLog.in(
                dir.resolve("bench-audit"), true, java.time.Clock.systemUTC(), "b");
        java.util.Map<String, Object> args = java.util.Map.of("host", "fleet-2", "command", "true");
        for (int i = 0; i < 2000; i++) {
            audit.end(audit.start("exec", "bench/1", args), io.github.sshfleet.audit.AuditLog.Ending.ok(1));
        }
        int m = 20_000;
        t0 = System.nanoTime();
        for (int i = 0; i < m; i++) {
            audit.end(audit.start("exec", "bench/1", args), io.github.sshfleet.audit.AuditLog.Ending.ok(1));
        }
        double lines = (System.nanoTime() - t0) / 1e3 / m;
        audit.close();
        System.out.printf("%-58s %8.1f us%n", "  policy decision (2 entries, 4 deny rules, 2 stages)", decide);
        System.out.printf("%-58s %8.1f us%n", "  audit start + end line (file lock, tail read, append)", lines);
    }
}
