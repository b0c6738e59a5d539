package io.github.sshfleet.bench;

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
            String hosts = "wan\t127.0.0.1:" + relay.port() + "\t" + SshdFleet.NP_USER + ":" + sshd.npPassword + "\n"
                    + "wan-pw\t127.0.0.1:" + relay.port() + "\t" + SshdFleet.PW_USER + ":" + sshd.pwPassword + "\n";
            Path config = sshd.writeConfig(dir.resolve("rtt-cfg"), hosts, "");
            Path kh = dir.resolve("rtt-cfg").resolve("known_hosts");
            Files.writeString(kh, Files.readString(kh) + "[127.0.0.1]:" + relay.port() + " " + sshd.hostKeyLine + "\n");
            System.out.printf("%n50 ms RTT (loopback relay, %d ms each way), median of %d calls:%n", ONE_WAY_MS, n);

            long spawn = System.nanoTime();
            McpSyncClient c = JarServer.client(config, Files.createDirectories(dir.resolve("rtt-home")));
            call(c, "exec", Map.of("host", "wan", "command", "true"));
            double cold = ms(System.nanoTime() - spawn);
            double warmConnect = median(3, () -> {
                call(c, "disconnect", Map.of("host", "wan", "force", true));
                return time(() -> call(c, "exec", Map.of("host", "wan", "command", "true")));
            });
            String file = "/tmp/ssh-fleet-rtt-" + ProcessHandle.current().pid();
            call(c, "write_file", Map.of("host", "wan", "remote_path", file, "content", "hello\n"));
            double exec = median(n, () -> time(() -> call(c, "exec", Map.of("host", "wan", "command", "true"))));
            double sudo = median(n, () -> time(() -> call(c, "sudo_exec", Map.of("host", "wan", "command", "true"))));
            double sudoPw =
                    median(n, () -> time(() -> call(c, "sudo_exec", Map.of("host", "wan-pw", "command", "true"))));
            double read = median(n, () -> time(() -> call(c, "read_file", Map.of("host", "wan", "remote_path", file))));
            double write = median(
                    n,
                    () -> time(() -> call(
                            c, "write_file", Map.of("host", "wan", "remote_path", file, "content", "hello again\n"))));
            c.closeGracefully();

            List<String> ssh = List.of(
                    "ssh",
                    "-q",
                    "-o",
                    "BatchMode=yes",
                    "-o",
                    "UserKnownHostsFile=" + kh,
                    "-o",
                    "StrictHostKeyChecking=yes",
                    "-i",
                    sshd.keyEd25519.toString(),
                    "-p",
                    String.valueOf(relay.port()),
                    SshdFleet.NP_USER + "@127.0.0.1");
            double fresh = median(5, () -> time(() -> Bench.run(with(ssh, List.of("true")))));
            List<String> mux = with(
                    ssh,
                    List.of(
                            "-o",
                            "ControlMaster=auto",
                            "-o",
                            "ControlPath=" + dir.resolve("rtt-cm-%C"),
                            "-o",
                            "ControlPersist=60"));
            Bench.run(with(mux, List.of("true")));
            double master = median(n, () -> time(() -> Bench.run(with(mux, List.of("true")))));
            Bench.run(with(with(mux, List.of("-O", "exit")), List.of()));

            row("spawn + first exec on a cold host", cold, "", Double.NaN);
            row("cold connect + exec (warm server)", warmConnect, "OpenSSH fresh 'ssh host true'", fresh);
            row("exec 'true' (pooled)", exec, "OpenSSH ControlMaster 'ssh host true'", master);
            row("sudo_exec 'true', NOPASSWD", sudo, "", Double.NaN);
            row("sudo_exec 'true', password sudo", sudoPw, "", Double.NaN);
            row("read_file, 6 bytes", read, "", Double.NaN);
            row("write_file, 12 bytes", write, "", Double.NaN);
        }
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

    static void row(String what, double ms, String baseline, double baseMs) {
        System.out.printf(
                "%-40s %8.1f ms = %4.1f RTT%s%n",
                what,
                ms,
                ms / RTT_MS,
                Double.isNaN(baseMs)
                        ? ""
                        : String.format(
                                "   %s %7.1f ms = %4.1f RTT, ratio %.2f",
                                baseline, baseMs, baseMs / RTT_MS, ms / baseMs));
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
