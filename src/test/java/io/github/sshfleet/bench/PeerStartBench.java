package io.github.sshfleet.bench;

import io.github.sshfleet.testing.SshdFleet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reference for spawn + first exec: the node peer (tufantunc's ssh-mcp, pinned), on the same cold host
 * (fleet-2) with the same raw lines as StartBench, in the same run. npm installs it into target/bench-peer once; without
 * npm or the registry the figure is left out and says why. Its password goes in through its environment variable.
 */
final class PeerStartBench {

    static final String PEER = "ssh-mcp@2.11.0";
    private static final int RUNS = 5;

    private PeerStartBench() {}

    static void run(SshdFleet sshd, Path dir) throws Exception {
        Path prefix = Path.of("target", "bench-peer").toAbsolutePath();
        Path index = prefix.resolve("node_modules/ssh-mcp/build/index.js");
        if (!Files.isRegularFile(index)) {
            Process npm = new ProcessBuilder("npm", "install", "--silent", "--prefix", prefix.toString(), PEER)
                    .redirectErrorStream(true)
                    .start();
            String said = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!npm.waitFor(300, TimeUnit.SECONDS) || npm.exitValue() != 0 || !Files.isRegularFile(index)) {
                System.out.println("node peer " + PEER + " not installed (npm: "
                        + said.strip().lines().findFirst().orElse("no output") + "); no peer figure");
                return;
            }
        }
        Path home = Files.createDirectories(dir.resolve("peer-home"));
        List<String> cmd = List.of(
                "node",
                index.toString(),
                "--host=" + SshdFleet.ip(2),
                "--port=" + sshd.port,
                "--user=" + SshdFleet.NP_USER);
        String call = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"run-command\",\"arguments\":{\"command\":\"true\"}}}";
        for (long later : new long[] {0, StartBench.LATER}) {
            long[] times = new long[RUNS];
            for (int i = 0; i < RUNS; i++) {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
                pb.environment().put("HOME", home.toString());
                pb.environment().put("SSH_MCP_PASSWORD", sshd.npPassword);
                StartBench.Asked a = StartBench.ask(pb, call, later);
                times[i] = a.nanos();
                if (a.reply() == null || a.reply().contains("\"isError\":true")) {
                    System.out.println("node peer: no good reply, no peer figure: "
                            + (a.reply() == null
                                    ? "none"
                                    : a.reply()
                                            .substring(
                                                    0, Math.min(200, a.reply().length()))));
                    return;
                }
            }
            Bench.report(
                    later == 0
                            ? "baseline: node peer " + PEER + ", spawn + first exec"
                            : "  node peer, first exec " + later / 1000 + " s after tools/list, the request alone",
                    times);
        }
    }
}
