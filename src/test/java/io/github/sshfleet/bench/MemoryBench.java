package io.github.sshfleet.bench;

import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.client.McpSyncClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * RSS of the server after the standard workload (start, 300 execs, 8 in flight, fan-outs, 10 MB up and down) and
 * after 70 s idle: from a plain {@code java -jar}, and with JVM options a registration line could add. Both servers
 * run in the same run; their workloads run one after the other.
 */
final class MemoryBench {

    private MemoryBench() {}

    static void run(SshdFleet sshd, Path dir, Path config) throws Exception {
        Path file = dir.resolve("ten-mb.bin");
        byte[] block = new byte[1 << 20];
        new java.util.Random(7).nextBytes(block);
        try (var out = Files.newOutputStream(file)) {
            for (int i = 0; i < 10; i++) {
                out.write(block);
            }
        }
        String[] label = {"plain java -jar", "-XX:+UseSerialGC -Xmx128m"};
        List<List<String>> options = List.of(List.of(), List.of("-XX:+UseSerialGC", "-Xmx128m"));
        long[] busy = new long[2];
        long[] pids = new long[2];
        List<McpSyncClient> clients = new ArrayList<>();
        for (int v = 0; v < 2; v++) {
            McpSyncClient c = JarServer.client(
                    config, Files.createDirectories(dir.resolve("mem-home-" + v)), p -> {}, options.get(v));
            clients.add(c);
            long first = v == 0 ? -1 : pids[0];
            pids[v] = ProcessHandle.current()
                    .descendants()
                    .filter(h -> h.pid() != first
                            && h.info()
                                    .commandLine()
                                    .orElse("")
                                    .contains(JarServer.jar().toString()))
                    .mapToLong(ProcessHandle::pid)
                    .max()
                    .orElse(-1);
            workload(c, file, dir.resolve("back-" + v + ".bin"));
            busy[v] = Bench.rssKb(pids[v]);
        }
        for (int v = 0; v < 2; v++) {
            Process p = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "jcmd")
                                    .toString(),
                            String.valueOf(pids[v]),
                            "VM.flags")
                    .redirectErrorStream(true)
                    .start();
            String flags = new String(p.getInputStream().readAllBytes());
            System.out.println("  " + label[v] + ": "
                    + java.util.Arrays.stream(flags.split("\\s+"))
                            .filter(f -> f.contains("HeapFreeRatio")
                                    || f.contains("PeriodicGC")
                                    || f.contains("Use") && f.contains("GC"))
                            .toList());
        }
        Thread.sleep(70_000);
        for (int v = 0; v < 2; v++) {
            System.out.printf(
                    "%-58s %8d KB -> %d KB after 70 s idle%n",
                    "server RSS after the workload, " + label[v], busy[v], Bench.rssKb(pids[v]));
            clients.get(v).closeGracefully();
        }
    }

    private static void workload(McpSyncClient c, Path file, Path back) throws Exception {
        for (int i = 0; i < 300; i++) {
            Bench.exec(c, "fleet-2", "true");
        }
        ExecutorService ex = Executors.newFixedThreadPool(8);
        List<Future<?>> f = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            f.add(ex.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    Bench.exec(c, "fleet-2", "true");
                }
            }));
        }
        for (Future<?> x : f) {
            x.get();
        }
        ex.shutdown();
        for (int i = 0; i < 20; i++) {
            Bench.exec(c, "all", "uname -a");
        }
        String remote = "/tmp/ssh-fleet-membench-" + System.nanoTime() + ".bin";
        JarServer.call(c, "upload", Map.of("host", "fleet-2", "local_path", file.toString(), "remote_path", remote));
        JarServer.call(
                c,
                "download",
                Map.of("host", "fleet-2", "remote_path", remote, "local_path", back.toString(), "overwrite", true));
        Bench.exec(c, "fleet-2", "rm -f " + remote);
    }
}
