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
 * Start-up: spawn {@code java -jar} and time until the tools/list reply is read, plain and with the --cds archive;
 * then spawn and time until the reply to an exec on a cold host sent right after the handshake (the "spawn,
 * then first exec" figure); then the first exec as an agent's comes, {@link #LATER} after tools/list was answered,
 * timed from the request alone. The client side is a few raw lines on stdin, so the figure is the server's, not an
 * MCP client library's warm-up.
 */
final class StartBench {

    private static final int RUNS = 11;
    private static final int EXEC_RUNS = 5;

    /** How long after the handshake the "later" first exec is sent: about when a model's first call comes. */
    static final long LATER = 3000;

    private StartBench() {}

    private static final String FIRST_EXEC = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
            + "{\"name\":\"exec\",\"arguments\":{\"host\":\"fleet-2\",\"command\":\"true\"}}}";

    static void run(Path config, Path home) throws Exception {
        times(List.of(), config, home, 1, JarServer.TOOLS_LIST); // discarded: page cache and this JVM's spawn path
        Thread.sleep(1000); // the benchmark JVM's JIT, busy after the sshd start, shares the same two cores
        Bench.report(
                "start until tools/list answered (java -jar, " + RUNS + " runs)",
                times(List.of(), config, home, RUNS, JarServer.TOOLS_LIST));
        Bench.report(
                "spawn, then exec on a cold host at once (" + EXEC_RUNS + " runs)",
                times(List.of(), config, home, EXEC_RUNS, FIRST_EXEC));
        ProcessBuilder pb = new ProcessBuilder(JarServer.command("--cds")).redirectErrorStream(true);
        pb.environment().put("HOME", home.toString());
        Process archiving = pb.start();
        String printed = new String(archiving.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("-- java (.*) -jar ").matcher(printed);
        if (archiving.waitFor() != 0 || !m.find()) {
            System.out.println("--cds failed; no figure with the archive: " + printed.strip());
            return;
        }
        List<String> options = List.of(m.group(1).split(" "));
        Bench.report(
                "  the same with the printed --cds options", times(options, config, home, RUNS, JarServer.TOOLS_LIST));
        Bench.report("  spawn + first exec with them", times(options, config, home, EXEC_RUNS, FIRST_EXEC));
        Bench.report(
                "  first exec " + LATER / 1000 + " s after tools/list, the request alone",
                times(options, config, home, EXEC_RUNS, FIRST_EXEC, LATER));
    }

    /** Spawns the server {@code runs} times; each time: initialize, then {@code request}, timed until its reply. */
    private static long[] times(List<String> jvmOptions, Path config, Path home, int runs, String request)
            throws Exception {
        return times(jvmOptions, config, home, runs, request, 0);
    }

    private static long[] times(
            List<String> jvmOptions, Path config, Path home, int runs, String request, long laterMillis)
            throws Exception {
        List<String> cmd = new ArrayList<>(JarServer.command());
        cmd.addAll(1, jvmOptions);
        long[] ready = new long[runs];
        for (int i = 0; i < runs; i++) {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(JarServer.env(config, home));
            Asked a = ask(pb, request, laterMillis);
            ready[i] = a.nanos();
            if (a.reply() == null || !a.reply().contains(request == FIRST_EXEC ? "\"exit_code\":0" : "\"tools\"")) {
                throw new IllegalStateException("no good reply: " + a.reply());
            }
        }
        return ready;
    }

    /** A spawned server's reply to one request (null: none), and the time from the spawn until it was read. */
    record Asked(long nanos, String reply) {}

    /**
     * Spawns {@code pb}; writes initialize and waits for its answer (as a client does), then initialized and
     * {@code request} (id 2), and reads up to the reply to it; then ends the server's stdin and waits for it.
     * {@code laterMillis} > 0: tools/list (id 9) first, answered, then that long idle, and only the request is timed.
     */
    static Asked ask(ProcessBuilder pb, String request, long laterMillis) throws Exception {
        long t0 = System.nanoTime();
        Process p = pb.start();
        OutputStream in = p.getOutputStream();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        in.write((JarServer.INITIALIZE + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        String reply = out.readLine() == null ? null : "";
        if (reply != null && laterMillis > 0) {
            in.write((JarServer.INITIALIZED + "\n" + JarServer.TOOLS_LIST.replace("\"id\":2", "\"id\":9") + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            in.flush();
            do {
                reply = out.readLine();
            } while (reply != null && !reply.contains("\"id\":9"));
            Thread.sleep(laterMillis);
            t0 = System.nanoTime();
        }
        if (reply != null) {
            in.write(((laterMillis > 0 ? "" : JarServer.INITIALIZED + "\n") + request + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            in.flush();
            do {
                reply = out.readLine(); // notifications may come first
            } while (reply != null && !reply.contains("\"id\":2"));
        }
        long nanos = System.nanoTime() - t0;
        in.close();
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new Asked(nanos, reply);
    }
}
