package io.github.sshfleet.bench;

import io.github.sshfleet.testing.ControlledSshd;
import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A many-host fan-out: {@code names} machine names spread over 64 loopback addresses (4 sshd of 16 addresses), each
 * name its own pooled session. Cold (the first exec connects every one) and warm, through the JAR; OpenSSH as xargs
 * -P32 over ControlMaster connections to the same names in the same run as the baseline.
 */
final class FanoutBench {

    private FanoutBench() {}

    static void run(SshdFleet sshd, Path dir, int names) throws Exception {
        List<ControlledSshd> daemons = new ArrayList<>();
        List<String[]> addresses = new ArrayList<>(); // ip, port
        try {
            for (int d = 0; d < 4; d++) {
                List<String> ips = new ArrayList<>();
                for (int i = 1; i <= 16; i++) {
                    ips.add("127.0.8." + (d * 16 + i));
                }
                ControlledSshd c = sshd.controlled("fanout-" + d + "-" + System.nanoTime(), ips);
                daemons.add(c);
                ips.forEach(ip -> addresses.add(new String[] {ip, String.valueOf(c.port())}));
            }
            StringBuilder hosts = new StringBuilder();
            StringBuilder known = new StringBuilder();
            for (ControlledSshd c : daemons) {
                known.append(c.knownHostsLines(sshd.hostKeyLine));
            }
            for (int n = 1; n <= names; n++) {
                String[] a = target(addresses, n);
                hosts.append(String.join(
                                "\t", "fan-" + n, a[0] + ":" + a[1], SshdFleet.NP_USER + ":" + sshd.npPassword))
                        .append('\n');
            }
            Path config = sshd.writeConfig(dir.resolve("fan-cfg"), hosts.toString(), "host_key_policy: strict\n");
            Path kh = dir.resolve("fan-cfg").resolve("known_hosts");
            Files.writeString(kh, Files.readString(kh) + known);
            McpSyncClient c = JarServer.client(config, Files.createDirectories(dir.resolve("fan-home")));
            System.out.printf("%n%d machine names on %d loopback addresses:%n", names, addresses.size());
            long pid = Bench.serverPid();
            long coldCpu0 = cpuMs(pid);
            double cold = RttBench.time(() -> fan(c, names));
            long coldCpu = cpuMs(pid) - coldCpu0;
            // More rounds when profiling by hand (-Dsshfleet.warmRounds=30); the median is printed either way.
            double[] warm = new double[Integer.getInteger("sshfleet.warmRounds", 5)];
            long serverCpu0 = cpuMs(pid);
            long allCpu0 = systemCpuMs();
            for (int i = 0; i < warm.length; i++) {
                warm[i] = RttBench.time(() -> fan(c, names));
            }
            double serverCpu = (cpuMs(pid) - serverCpu0) / (double) warm.length;
            double allCpu = (systemCpuMs() - allCpu0) / (double) warm.length;
            java.util.Arrays.sort(warm);
            c.closeGracefully();
            double xargs = openSsh(sshd, dir, kh, names, addresses);
            double fresh = freshSsh(sshd, dir, kh, names, addresses);
            System.out.printf(
                    "%-46s %8.0f ms; server CPU %d ms (%.1f ms/host)%n",
                    "cold exec 'true' on all (connects each)", cold, coldCpu, coldCpu / (double) names);
            System.out.printf(
                    "%-46s %8.0f ms; ratio %.2f%n",
                    "baseline: xargs -P32 fresh ssh (as pssh -p 32)", fresh, cold / fresh);
            System.out.printf(
                    "%-46s %8.0f ms (%.2f ms/host), best %.0f ms%n",
                    "warm exec 'true' on all, median of " + warm.length,
                    warm[warm.length / 2],
                    warm[warm.length / 2] / names,
                    warm[0]);
            System.out.printf(
                    "%-46s %8.0f ms; ratio %.2f%n",
                    "baseline: xargs -P32 + ControlMaster, warm", xargs, warm[warm.length / 2] / xargs);
            System.out.printf(
                    "%-46s server %.0f ms (%.2f ms/host), whole machine %.0f ms (%.2f ms/host), %d cores%n",
                    "CPU per warm fan-out",
                    serverCpu,
                    serverCpu / names,
                    allCpu,
                    allCpu / names,
                    Runtime.getRuntime().availableProcessors());
        } finally {
            daemons.forEach(ControlledSshd::close);
        }
    }

    static void fan(McpSyncClient c, int names) {
        McpSchema.CallToolResult r = JarServer.call(c, "exec", Map.of("host", "fan-*", "command", "true"));
        Object ok = r.structuredContent() instanceof Map<?, ?> m ? m.get("ok") : null;
        if (Boolean.TRUE.equals(r.isError()) || !(ok instanceof Number k) || k.intValue() != names) {
            String text = JarServer.text(r);
            throw new IllegalStateException("fan-out: " + text.substring(0, Math.min(300, text.length())));
        }
    }

    /** xargs -P32 running ssh per name through a ControlMaster per name (opened first, not timed). */
    static double openSsh(SshdFleet sshd, Path dir, Path kh, int names, List<String[]> addresses) throws Exception {
        Path cm = Files.createTempDirectory("fcm");
        Path script = dir.resolve("fan-ssh.sh");
        Files.writeString(
                script,
                "#!/bin/sh\nn=$1; ip=$2; port=$3\n"
                        + "exec ssh -q -o BatchMode=yes -o UserKnownHostsFile=" + kh + " -o StrictHostKeyChecking=yes"
                        + " -o ControlMaster=auto -o ControlPersist=120 -o ControlPath=" + cm + "/$n"
                        + " -i " + sshd.keyEd25519 + " -p $port " + SshdFleet.NP_USER + "@$ip true\n");
        StringBuilder list = new StringBuilder();
        for (int n = 1; n <= names; n++) {
            String[] a = target(addresses, n);
            list.append(String.join(" ", "fan-" + n, a[0], a[1])).append('\n');
        }
        Path args = Files.writeString(dir.resolve("fan-args.txt"), list);
        List<String> xargs = List.of("sh", "-c", "xargs -P32 -n3 sh " + script + " < " + args);
        Bench.run(xargs); // opens the masters
        double t = RttBench.time(() -> Bench.run(xargs));
        Bench.run(List.of("sh", "-c", "for s in " + cm + "/*; do ssh -o ControlPath=$s -O exit x 2>/dev/null; done"));
        return t;
    }

    /** xargs -P32 running a fresh ssh per name (a full connect each, as pssh -p 32 does). */
    static double freshSsh(SshdFleet sshd, Path dir, Path kh, int names, List<String[]> addresses) throws Exception {
        Path script = dir.resolve("fan-fresh.sh");
        Files.writeString(
                script,
                "#!/bin/sh\nexec ssh -q -o BatchMode=yes -o UserKnownHostsFile=" + kh
                        + " -o StrictHostKeyChecking=yes -o ControlMaster=no -o ControlPath=none -i "
                        + sshd.keyEd25519 + " -p $3 " + SshdFleet.NP_USER + "@$2 true\n");
        StringBuilder list = new StringBuilder();
        for (int n = 1; n <= names; n++) {
            String[] a = target(addresses, n);
            list.append(String.join(" ", "fan-" + n, a[0], a[1])).append('\n');
        }
        Path args = Files.writeString(dir.resolve("fan-fresh-args.txt"), list);
        return RttBench.time(() -> Bench.run(List.of("sh", "-c", "xargs -P32 -n3 sh " + script + " < " + args)));
    }

    /** The address (ip, port) machine name fan-n is on. */
    static String[] target(List<String[]> addresses, int n) {
        return addresses.get(n % addresses.size());
    }

    /** User + system CPU of a process so far, in ms. */
    static long cpuMs(long pid) throws Exception {
        String[] f = Files.readString(Path.of("/proc/" + pid + "/stat"))
                .replaceAll("^.*\\) ", "")
                .split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / 100; // clock ticks of 10 ms
    }

    /** CPU the whole machine spent so far (not idle, not iowait), in ms. */
    static long systemCpuMs() throws Exception {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < f.length; i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(f[i]);
            }
        }
        return busy * 1000 / 100;
    }
}
