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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark behind `bash .ci/bench`: the shipped JAR over stdio, driven by the SDK client, against the real sshd
 * test fleet on loopback; OpenSSH with ControlMaster measured on the same fleet in the same run as the baseline.
 * Prints figures; asserts nothing (speed is measured here, never in tests).
 */
public final class Bench {

    /** Exits when a figure fails too: the MCP clients' threads would otherwise keep a failed run alive for ever. */
    public static void main(String[] args) {
        try {
            run(args);
        } catch (Exception | Error e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int mib = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        String only = args.length > 2 ? args[2] : "all";
        SshdFleet sshd = SshdFleet.get();
        Path dir = Files.createTempDirectory("ssh-fleet-bench-");
        Path config = sshd.writeConfig(dir.resolve("cfg"), sshd.standardHosts(), "");

        if (only.equals("memory")) {
            MemoryBench.run(sshd, dir, config);
            System.exit(0);
        }
        if (only.equals("fanout")) {
            FanoutBench.run(sshd, dir, Math.max(n, 200));
            System.exit(0);
        }
        if (only.equals("rtt")) {
            RttBench.run(sshd, dir, Math.min(n, 21));
            System.exit(0);
        }
        if (only.equals("guardrails")) {
            GuardrailBench.run(sshd, dir, n);
            System.exit(0);
        }
        if (List.of("files", "shells", "render").contains(only)) {
            McpSyncClient c = JarServer.client(config, dir);
            switch (only) {
                case "files" -> FileBench.run(sshd, dir, c, mib);
                case "shells" -> ShellBench.run(c, n);
                default -> RenderBench.run(c);
            }
            c.closeGracefully();
            System.exit(0);
        }
        StartBench.run(config, dir);
        PeerStartBench.run(sshd, dir);

        McpSyncClient client = JarServer.client(config, dir);
        long t0 = System.nanoTime();
        exec(client, "fleet-2", "true");
        System.out.printf(
                "%-58s %8.1f ms%n", "first exec in a fresh process (cold JVM + connect)", ms(System.nanoTime() - t0));
        for (int i = 0; i < 200; i++) {
            exec(client, "fleet-2", "true");
        }
        t0 = System.nanoTime();
        exec(client, "fleet-3", "true");
        System.out.printf("%-58s %8.1f ms%n", "cold connect + exec (warm JVM, new host)", ms(System.nanoTime() - t0));

        long pid = serverPid();
        long rssBefore = rssKb(pid);
        long heapBefore = heapAfterGcKb(pid);
        long[] seq = new long[n];
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            exec(client, "fleet-2", "true");
            seq[i] = System.nanoTime() - s;
        }
        long rssAfter = rssKb(pid);
        long heapAfter = heapAfterGcKb(pid);
        for (int i = 0; i < n; i++) {
            exec(client, "fleet-2", "true");
        }
        long heapAfter2 = heapAfterGcKb(pid);
        report("exec 'true', sequential (" + n + " calls)", seq);
        System.out.printf(
                "%-58s %8d KB -> %d KB%n", "server RSS before/after those " + n + " execs", rssBefore, rssAfter);
        System.out.printf(
                "%-58s %8d KB -> %d KB -> %d KB%n",
                "heap in use after full GC: before, +" + n + ", +" + (2 * n) + " execs",
                heapBefore,
                heapAfter,
                heapAfter2);

        ExecutorService ex = Executors.newFixedThreadPool(8);
        List<Future<long[]>> parts = new ArrayList<>();
        long wall = System.nanoTime();
        for (int t = 0; t < 8; t++) {
            parts.add(ex.submit(() -> {
                long[] lat = new long[n / 8];
                for (int i = 0; i < lat.length; i++) {
                    long s = System.nanoTime();
                    exec(client, "fleet-2", "true");
                    lat[i] = System.nanoTime() - s;
                }
                return lat;
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<long[]> f : parts) {
            for (long l : f.get()) {
                all.add(l);
            }
        }
        wall = System.nanoTime() - wall;
        ex.shutdown();
        report(
                "exec 'true', 8 in flight, one host",
                all.stream().mapToLong(Long::longValue).toArray());
        System.out.printf("%-58s %8.0f calls/s%n", "  throughput with 8 in flight", all.size() / (wall / 1e9));

        long[] fan = new long[200];
        for (int i = 0; i < fan.length; i++) {
            long s = System.nanoTime();
            exec(client, "all", "true");
            fan[i] = System.nanoTime() - s;
        }
        report("exec 'true' fanned out to all " + sshd.hosts() + " hosts", fan);
        if (!only.equals("exec")) {
            FileBench.run(sshd, dir, client, mib);
            ShellBench.run(client, n);
            RenderBench.run(client);
        }
        client.closeGracefully();

        long[] mux = openSshControlMaster(sshd, dir, 200);
        if (mux != null) {
            report("baseline: OpenSSH ControlMaster 'ssh host true'", mux);
        }
        System.exit(0);
    }

    static void exec(McpSyncClient c, Object host, String command) {
        McpSchema.CallToolResult r = JarServer.call(c, "exec", Map.of("host", host, "command", command));
        if (Boolean.TRUE.equals(r.isError())) {
            throw new IllegalStateException(JarServer.text(r));
        }
    }

    static long[] openSshControlMaster(SshdFleet sshd, Path dir, int n) throws Exception {
        Path control = dir.resolve("cm-%C");
        List<String> base = List.of(
                "ssh",
                "-q",
                "-o",
                "BatchMode=yes",
                "-o",
                "UserKnownHostsFile=" + sshd.knownHosts,
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "ControlMaster=auto",
                "-o",
                "ControlPath=" + control,
                "-o",
                "ControlPersist=60",
                "-i",
                sshd.keyEd25519.toString(),
                "-p",
                String.valueOf(sshd.port),
                SshdFleet.NP_USER + "@" + SshdFleet.ip(2));
        List<String> cmd = new ArrayList<>(base);
        cmd.add("true");
        if (run(cmd) != 0) {
            System.out.println("baseline: ssh with ControlMaster failed; skipped");
            return null;
        }
        long[] lat = new long[n];
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            run(cmd);
            lat[i] = System.nanoTime() - s;
        }
        List<String> exit = new ArrayList<>(base);
        exit.addAll(2, List.of("-O", "exit"));
        run(exit);
        return lat;
    }

    static int run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
        return p.exitValue();
    }

    static long serverPid() {
        return ProcessHandle.current()
                .descendants()
                .filter(h -> h.info()
                        .commandLine()
                        .orElse("")
                        .contains(JarServer.jar().toString()))
                .map(ProcessHandle::pid)
                .reduce((a, b) -> b)
                .orElse(-1L);
    }

    static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    /** Heap in use right after a full GC (jcmd): what is really retained, unlike RSS, which only grows. */
    static long heapAfterGcKb(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        run(List.of(jcmd.toString(), String.valueOf(pid), "GC.run"));
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.heap_info")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("used (\\d+)K").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static void report(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf(
                "%-58s p50 %7.2f ms  p90 %7.2f ms  max %7.2f ms%n",
                what, ms(s[s.length / 2]), ms(s[(int) (s.length * 0.9)]), ms(s[s.length - 1]));
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
