package io.github.sshfleet.bench;

import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.client.McpSyncClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * RSS of the server after the standard workload (start, 300 execs, 8 in flight, fan-outs, 10 MB up and down) and
 * after 70 s idle: from a plain {@code java -jar}, with JVM options a registration line could add, and once with
 * native memory tracking to show where the RSS goes. The servers run in the same run, workloads one after another.
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
        String[] label = {
            "plain java -jar",
            "-XX:+UseSerialGC -Xmx128m",
            "plain, native memory tracking on",
            "plain, idle trim off (-Dsshfleet.idleTrim=false)",
            "README's registration line (Serial, 32-256 MB, archive)"
        };
        // The registration line as a server that has been registered for a while runs it: its archive written.
        Path readmeHome = Files.createDirectories(dir.resolve("mem-home-4"));
        Path archive = readmeHome.resolve(".ssh-fleet").resolve("ssh-fleet.jsa");
        ProcessBuilder cds = new ProcessBuilder(JarServer.command("--cds")).redirectErrorStream(true);
        cds.environment().put("HOME", readmeHome.toString());
        Process written = cds.start();
        written.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        if (written.waitFor() != 0 || !Files.isRegularFile(archive)) {
            throw new IllegalStateException("--cds did not write " + archive);
        }
        List<List<String>> options = List.of(
                List.of(),
                List.of("-XX:+UseSerialGC", "-Xmx128m"),
                List.of("-XX:NativeMemoryTracking=summary"),
                List.of("-Dsshfleet.idleTrim=false"),
                List.of(
                        "-XX:+UseSerialGC",
                        "-Xms32m",
                        "-Xmx256m",
                        "-XX:SharedArchiveFile=" + archive,
                        "-Xlog:disable",
                        "-Xlog:all=warning:stderr"));
        long[] busy = new long[label.length];
        long[] pids = new long[label.length];
        List<McpSyncClient> clients = new ArrayList<>();
        for (int v = 0; v < label.length; v++) {
            // The server's log beside the figures: a failed call in the workload is then explained, not guessed at.
            java.io.PrintWriter serverLog =
                    new java.io.PrintWriter(Files.newBufferedWriter(dir.resolve("server-" + v + ".log")), true);
            McpSyncClient c = JarServer.client(
                    config,
                    Files.createDirectories(dir.resolve("mem-home-" + v)),
                    p -> {},
                    options.get(v),
                    Map.of(),
                    serverLog::println);
            clients.add(c);
            Set<Long> known = Arrays.stream(pids, 0, v).boxed().collect(Collectors.toSet());
            pids[v] = ProcessHandle.current()
                    .descendants()
                    .filter(h -> !known.contains(h.pid())
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
        nativeMemory(pids[2]);
        Thread.sleep(70_000);
        for (int v = 0; v < label.length; v++) {
            System.out.printf(
                    "%-58s %8d KB -> %d KB after 70 s idle%n",
                    "server RSS after the workload, " + label[v], busy[v], Bench.rssKb(pids[v]));
        }
        // Then bulk transfers, which the standard workload's 10 MB hides: three downloads of 200 MB each.
        String big = "/tmp/ssh-fleet-membench-big-" + System.nanoTime() + ".bin";
        Bench.exec(clients.get(0), "fleet-2", "head -c 200M /dev/urandom > " + big);
        for (int v = 0; v < label.length; v++) {
            long cpu = FanoutBench.cpuMs(pids[v]);
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                JarServer.call(
                        clients.get(v),
                        "download",
                        Map.of(
                                "host",
                                "fleet-2",
                                "remote_path",
                                big,
                                "local_path",
                                dir.resolve("big-" + v + ".bin").toString(),
                                "overwrite",
                                true));
                best = Math.min(best, System.nanoTime() - t0);
            }
            System.out.printf(
                    "%-58s %8d KB, best %.0f MB/s, server CPU %d ms%n",
                    "  then 3 x 200 MB download, " + label[v],
                    Bench.rssKb(pids[v]),
                    200e9 / best,
                    FanoutBench.cpuMs(pids[v]) - cpu);
            Files.deleteIfExists(dir.resolve("big-" + v + ".bin"));
        }
        Bench.exec(clients.get(0), "fleet-2", "rm -f " + big);
        clients.forEach(McpSyncClient::closeGracefully);
    }

    /** Where the RSS goes: NMT's committed size per category, largest first. */
    private static void nativeMemory(long pid) throws Exception {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        String.valueOf(pid),
                        "VM.native_memory",
                        "summary")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        Matcher m = Pattern.compile("-\\s+([A-Za-z ]+?) \\(reserved=\\d+KB, committed=(\\d+)KB")
                .matcher(out);
        List<long[]> sizes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1).strip());
            sizes.add(new long[] {Long.parseLong(m.group(2)), names.size() - 1});
        }
        sizes.sort(Comparator.comparingLong((long[] x) -> x[0]).reversed());
        System.out.println("  committed by category (NMT) after the workload, plain java -jar:");
        sizes.stream().limit(8).forEach(x -> System.out.printf("    %8d KB %s%n", x[0], names.get((int) x[1])));
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
