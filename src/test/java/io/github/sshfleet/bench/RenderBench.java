package io.github.sshfleet.bench;

import io.github.sshfleet.testing.JarServer;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;

/** Screenshot figures for `bash .ci/bench`: render_output of 50 coloured lines as PNG and as GIF, warm JVM. */
final class RenderBench {

    private RenderBench() {}

    static void run(McpSyncClient client) throws Exception {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= 50; i++) {
            out.append("\u001b[32m")
                    .append(String.format("%3d", i))
                    .append("\u001b[0m  ok  service-")
                    .append(i)
                    .append(" started in ")
                    .append(i * 7)
                    .append(" ms\n");
        }
        Map<String, Object> png =
                Map.of("command", "systemctl list-units", "stdout", out.toString(), "output_name", "bench-png");
        Map<String, Object> gif =
                Map.of("command", "systemctl list-units", "stdout", out.toString(), "output_name", "bench-gif");
        for (int i = 0; i < 5; i++) { // warm-up: the first render loads Batik and the font
            FileBench.call(client, "render_output", png);
            FileBench.call(client, "render_gif_output", gif);
        }
        long[] p = new long[20];
        long[] g = new long[20];
        McpSchema.CallToolResult last = null;
        for (int i = 0; i < p.length; i++) {
            p[i] = FileBench.time(() -> FileBench.call(client, "render_output", png));
            long t0 = System.nanoTime();
            last = JarServer.call(client, "render_gif_output", gif);
            g[i] = System.nanoTime() - t0;
        }
        Bench.report("render_output PNG, 50 coloured lines (warm)", p);
        Bench.report("render_gif_output GIF, 50 lines (warm)", g);
        Map<?, ?> s = (Map<?, ?>) last.structuredContent();
        System.out.printf(
                "%-58s %8d KB, %s frames%n",
                "  GIF size", ((Number) s.get("bytes")).longValue() / 1024, s.get("frames"));
    }
}
