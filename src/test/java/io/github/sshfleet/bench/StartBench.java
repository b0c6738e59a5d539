package io.github.sshfleet.bench;

import io.github.sshfleet.testing.JarServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Start-up: spawn {@code java -jar} and time until the tools/list reply is read, plain and with the --cds archive.
 * The client side is a few raw lines on stdin, so the figure is the server's, not an MCP client library's warm-up.
 */
final class StartBench {

    private static final int RUNS = 11;

    private StartBench() {}

    static void run(Path config, Path home) throws Exception {
        times(List.of(), config, home, 1); // discarded: page cache, and this JVM's own spawn path, warm
        Thread.sleep(1000); // the benchmark JVM's JIT, busy after the sshd start, shares the same two cores
        Bench.report(
                "start until tools/list answered (java -jar, " + RUNS + " runs)", times(List.of(), config, home, RUNS));
        ProcessBuilder pb = new ProcessBuilder(JarServer.command("--cds")).redirectErrorStream(true);
        pb.environment().put("HOME", home.toString());
        Process archiving = pb.start();
        String printed = new String(archiving.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("-- java (.*) -jar ").matcher(printed);
        if (archiving.waitFor() != 0 || !m.find()) {
            System.out.println("--cds failed; no figure with the archive: " + printed.strip());
            return;
        }
        Bench.report(
                "  the same with the printed --cds options",
                times(List.of(m.group(1).split(" ")), config, home, RUNS));
    }

    private static long[] times(List<String> jvmOptions, Path config, Path home, int runs) throws Exception {
        List<String> cmd = new ArrayList<>(JarServer.command());
        cmd.addAll(1, jvmOptions);
        long[] ready = new long[runs];
        for (int i = 0; i < runs; i++) {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(JarServer.env(config, home));
            long t0 = System.nanoTime();
            Process p = pb.start();
            OutputStream in = p.getOutputStream();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            in.write((JarServer.INITIALIZE + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            String init = out.readLine();
            in.write((JarServer.INITIALIZED + "\n" + JarServer.TOOLS_LIST + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            String tools = out.readLine();
            ready[i] = System.nanoTime() - t0;
            if (init == null || tools == null || !tools.contains("\"tools\"")) {
                throw new IllegalStateException("no tools/list reply: " + tools);
            }
            in.close();
            p.waitFor();
        }
        return ready;
    }
}
