package io.github.sshfleet.bench;

import io.github.sshfleet.testing.DelayRelay;
import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Round trips on a 50 ms RTT link (a loopback relay that delays every chunk 25 ms each way): each tool's median time
 * through the JAR, in milliseconds and in RTTs, with OpenSSH through the same relay in the same run as the baseline.
 */
final class RttBench {

    static final long ONE_WAY_MS = 25;
    static final double RTT_MS = 2.0 * ONE_WAY_MS;

    private RttBench() {}

    static void run(SshdFleet sshd, Path dir, int n) throws Exception {
        try (DelayRelay relay = new DelayRelay(SshdFleet.ip(2), sshd.port, ONE_WAY_MS)) {
            // The same sshd twice: "lan" directly, "wan" through the relay. The difference between the two, divided by
            // the RTT, is how many round trips a call waits for; what the host itself spends (root's login profile
            // for sudo_exec, say) is in both and cancels out.
            String hosts = "wan\t127.0.0.1:" + relay.port() + "\t" + SshdFleet.NP_USER + ":" + sshd.npPassword + "\n"
                    + "wan-pw\t127.0.0.1:" + relay.port() + "\t" + SshdFleet.PW_USER + ":" + sshd.pwPassword + "\n"
                    + sshd.line("lan", 2, SshdFleet.NP_USER, ":" + sshd.npPassword) + "\n"
                    + sshd.line("lan-pw", 2, SshdFleet.PW_USER, ":" + sshd.pwPassword) + "\n";
            Path config = sshd.writeConfig(dir.resolve("rtt-cfg"), hosts, "");
            Path kh = dir.resolve("rtt-cfg").resolve("known_hosts");
            Files.writeString(kh, Files.readString(kh) + "[127.0.0.1]:" + relay.port() + " " + sshd.hostKeyLine + "\n");
            System.out.printf(
                    "%n50 ms RTT (loopback relay, %d ms each way), median of %d calls; RTTs = (relayed - direct) / 50 ms:%n",
                    ONE_WAY_MS, n);

            long spawn = System.nanoTime();
            McpSyncClient c = JarServer.client(config, Files.createDirectories(dir.resolve("rtt-home")));
            call(c, "exec", Map.of("host", "wan", "command", "true"));
            double cold = ms(System.nanoTime() - spawn);
            String file = "/tmp/ssh-fleet-rtt-" + ProcessHandle.current().pid();
            call(c, "write_file", Map.of("host", "lan", "remote_path", file, "content", "hello\n"));
            Map<String, double[]> figures = new java.util.LinkedHashMap<>();
            figures.put("cold connect + exec (warm server)", pair(3, h -> {
                call(c, "disconnect", Map.of("host", h, "force", true));
                return time(() -> call(c, "exec", Map.of("host", h, "command", "true")));
            }));
            figures.put(
                    "exec 'true' (pooled)",
                    pair(n, h -> time(() -> call(c, "exec", Map.of("host", h, "command", "true")))));
            figures.put(
                    "sudo_exec 'true', NOPASSWD",
                    pair(n, h -> time(() -> call(c, "sudo_exec", Map.of("host", h, "command", "true")))));
            figures.put(
                    "sudo_exec 'true', password sudo",
                    pair(n, h -> time(() -> call(c, "sudo_exec", Map.of("host", h + "-pw", "command", "true")))));
            figures.put(
                    "read_file, 6 bytes",
                    pair(n, h -> time(() -> call(c, "read_file", Map.of("host", h, "remote_path", file)))));
            figures.put(
                    "write_file, 12 bytes",
                    pair(
                            n,
                            h -> time(() -> call(
                                    c,
                                    "write_file",
                                    Map.of("host", h, "remote_path", file, "content", "hello again\n")))));
            c.closeGracefully();

            List<String> sshWan = ssh(sshd, kh, "127.0.0.1", relay.port());
            List<String> sshLan = ssh(sshd, kh, SshdFleet.ip(2), sshd.port);
            double[] fresh = {
                median(5, () -> time(() -> Bench.run(with(sshLan, List.of("true"))))),
                median(5, () -> time(() -> Bench.run(with(sshWan, List.of("true")))))
            };
            double[] master = {
                controlMaster(sshLan, Files.createTempDirectory("cm").resolve("%C"), n),
                controlMaster(sshWan, Files.createTempDirectory("cm").resolve("%C"), n)
            };

            System.out.printf("%-38s %9s %9s %6s%n", "", "direct", "relayed", "RTTs");
            System.out.printf("%-38s %9s %7.1f ms%n", "spawn + first exec on a cold wan host", "", cold);
            figures.forEach((what, v) -> row(what, v));
            row("baseline: OpenSSH fresh 'ssh host true'", fresh);
            row("baseline: OpenSSH ControlMaster 'ssh host true'", master);
            double[] execPair = figures.get("exec 'true' (pooled)");
            double[] connectPair = figures.get("cold connect + exec (warm server)");
            System.out.printf(
                    "ratios on the relay: exec / ControlMaster %.2f, cold connect + exec / fresh ssh %.2f%n",
                    execPair[1] / master[1], connectPair[1] / fresh[1]);
        }
    }

    static List<String> ssh(SshdFleet sshd, Path kh, String host, int port) {
        return List.of(
                "ssh",
                "-q",
                "-o",
                "BatchMode=yes",
                "-o",
                "UserKnownHostsFile=" + kh,
                "-o",
                "StrictHostKeyChecking=no",
                "-i",
                sshd.keyEd25519.toString(),
                "-p",
                String.valueOf(port),
                SshdFleet.NP_USER + "@" + host);
    }

    static double controlMaster(List<String> ssh, Path control, int n) throws Exception {
        List<String> mux = with(
                ssh, List.of("-o", "ControlMaster=auto", "-o", "ControlPath=" + control, "-o", "ControlPersist=60"));
        Bench.run(with(mux, List.of("true")));
        double t = median(n, () -> time(() -> Bench.run(with(mux, List.of("true")))));
        Bench.run(with(mux, List.of("-O", "exit")));
        return t;
    }

    /** The median of {@code n} samples on "lan" and on "wan". */
    static double[] pair(int n, java.util.function.Function<String, Double> sample) {
        return new double[] {median(n, () -> sample.apply("lan")), median(n, () -> sample.apply("wan"))};
    }

    static void row(String what, double[] directAndRelayed) {
        System.out.printf(
                "%-38s %6.1f ms %6.1f ms %6.1f%n",
                what, directAndRelayed[0], directAndRelayed[1], (directAndRelayed[1] - directAndRelayed[0]) / RTT_MS);
    }

    static List<String> with(List<String> base, List<String> more) {
        List<String> out = new ArrayList<>(base);
        // options before the destination, the command after it
        if (!more.isEmpty() && more.get(0).startsWith("-")) {
            out.addAll(out.size() - 1, more);
        } else {
            out.addAll(more);
        }
        return out;
    }

    static void call(McpSyncClient c, String tool, Map<String, Object> args) {
        McpSchema.CallToolResult r = JarServer.call(c, tool, args);
        if (Boolean.TRUE.equals(r.isError())) {
            throw new IllegalStateException(tool + ": " + JarServer.text(r));
        }
    }

    interface Step {
        void run() throws Exception;
    }

    static double time(Step s) {
        long t = System.nanoTime();
        try {
            s.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ms(System.nanoTime() - t);
    }

    static double median(int n, Supplier<Double> sample) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = sample.get();
        }
        Arrays.sort(v);
        return v[n / 2];
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
