package io.github.sshfleet.bench;

import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * File figures for `bash .ci/bench`: upload and download of one large file through the shipped JAR, against
 * OpenSSH's own sftp and scp on the same host in the same run (same user, same key), and read_file latency.
 */
final class FileBench {

    private FileBench() {}

    static void run(SshdFleet sshd, Path dir, McpSyncClient client, int mib) throws Exception {
        Path big = dir.resolve("big.bin");
        long bytes = (long) mib << 20;
        writeRandom(big, bytes);
        String host = "fleet-2";
        String remote = "/tmp/ssh-fleet-bench-" + ProcessHandle.current().pid() + ".bin";
        Path back = dir.resolve("back.bin");
        try {
            // Twice each: the first run in a fresh JVM includes JIT warm-up; both are printed.
            double[] up = new double[2];
            double[] down = new double[2];
            for (int i = 0; i < 2; i++) {
                up[i] = mbps(
                        bytes,
                        time(() -> call(
                                client,
                                "upload",
                                Map.of("host", host, "local_path", big.toString(), "remote_path", remote))));
                down[i] = mbps(
                        bytes,
                        time(() -> call(
                                client,
                                "download",
                                Map.of(
                                        "host",
                                        host,
                                        "remote_path",
                                        remote,
                                        "local_path",
                                        back.toString(),
                                        "overwrite",
                                        true))));
            }
            Files.deleteIfExists(back);
            double sftpUp = mbps(bytes, time(() -> sftp(sshd, dir, "put " + big + " " + remote)));
            double sftpDown = mbps(bytes, time(() -> sftp(sshd, dir, "get " + remote + " " + back)));
            Files.deleteIfExists(back);
            double scpUp = mbps(bytes, time(() -> scp(sshd, big.toString(), target(remote))));
            double scpDown = mbps(bytes, time(() -> scp(sshd, target(remote), back.toString())));
            System.out.printf(
                    "%-58s %5.0f MB/s (first %3.0f)  sftp %4.0f, scp %4.0f; ratio to sftp %.2f%n",
                    "upload " + mib + " MiB", up[1], up[0], sftpUp, scpUp, up[1] / sftpUp);
            System.out.printf(
                    "%-58s %5.0f MB/s (first %3.0f)  sftp %4.0f, scp %4.0f; ratio to sftp %.2f%n",
                    "download " + mib + " MiB", down[1], down[0], sftpDown, scpDown, down[1] / sftpDown);
        } finally {
            Files.deleteIfExists(big);
            Files.deleteIfExists(back);
            sftp(sshd, dir, "-rm " + remote);
        }

        String conf = "/tmp/ssh-fleet-bench-" + ProcessHandle.current().pid() + ".conf";
        StringBuilder text = new StringBuilder();
        while (text.length() < 100 * 1024) {
            text.append("option_").append(text.length()).append(" = value # a typical config line\n");
        }
        call(client, "write_file", Map.of("host", host, "remote_path", conf, "content", text.toString()));
        for (int i = 0; i < 20; i++) {
            call(client, "read_file", Map.of("host", host, "remote_path", conf));
        }
        long[] lat = new long[200];
        for (int i = 0; i < lat.length; i++) {
            lat[i] = time(() -> call(client, "read_file", Map.of("host", host, "remote_path", conf)));
        }
        Bench.report("read_file of a 100 KiB config (warm pool)", lat);
        long[] small = new long[200];
        for (int i = 0; i < small.length; i++) {
            small[i] = time(() ->
                    call(client, "write_file", Map.of("host", host, "remote_path", conf, "content", "key=value\n")));
        }
        Bench.report("write_file of a small file (staged + rename)", small);
        call(client, "exec", Map.of("host", host, "command", "rm -f " + conf));
    }

    interface Step {
        void run() throws Exception;
    }

    static long time(Step s) throws Exception {
        long t0 = System.nanoTime();
        s.run();
        return System.nanoTime() - t0;
    }

    static double mbps(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }

    static void call(McpSyncClient c, String tool, Map<String, Object> args) {
        McpSchema.CallToolResult r = JarServer.call(c, tool, args);
        if (Boolean.TRUE.equals(r.isError())) {
            throw new IllegalStateException(tool + ": " + JarServer.text(r));
        }
    }

    static void writeRandom(Path p, long bytes) throws Exception {
        SplittableRandom rnd = new SplittableRandom(42);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(p)) {
            for (long done = 0; done < bytes; done += buf.length) {
                for (int i = 0; i < buf.length; i += 8) {
                    long v = rnd.nextLong();
                    for (int k = 0; k < 8; k++) {
                        buf[i + k] = (byte) (v >>> (8 * k));
                    }
                }
                out.write(buf, 0, (int) Math.min(buf.length, bytes - done));
            }
        }
    }

    static String target(String remote) {
        return SshdFleet.NP_USER + "@" + SshdFleet.ip(2) + ":" + remote;
    }

    static List<String> sshOptions(SshdFleet sshd) {
        return List.of(
                "-q",
                "-o",
                "BatchMode=yes",
                "-o",
                "UserKnownHostsFile=" + sshd.knownHosts,
                "-o",
                "StrictHostKeyChecking=yes",
                "-i",
                sshd.keyEd25519.toString());
    }

    static void sftp(SshdFleet sshd, Path dir, String batchLine) throws Exception {
        Path batch = Files.writeString(dir.resolve("batch"), batchLine + "\n");
        List<String> cmd = new ArrayList<>(List.of("sftp", "-b", batch.toString(), "-P", String.valueOf(sshd.port)));
        cmd.addAll(sshOptions(sshd));
        cmd.add(SshdFleet.NP_USER + "@" + SshdFleet.ip(2));
        check(cmd);
    }

    static void scp(SshdFleet sshd, String from, String to) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("scp", "-P", String.valueOf(sshd.port)));
        cmd.addAll(sshOptions(sshd));
        cmd.add(from);
        cmd.add(to);
        check(cmd);
    }

    static void check(List<String> cmd) throws Exception {
        if (Bench.run(cmd) != 0) {
            throw new IllegalStateException("failed: " + String.join(" ", cmd));
        }
    }
}
