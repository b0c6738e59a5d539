package io.github.sshfleet.bench;

import io.github.sshfleet.testing.JarServer;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;

/** Shell and tmux figures for `bash .ci/bench`: shell_run on an open root shell, tmux_capture of a live pane. */
final class ShellBench {

    private ShellBench() {}

    static void run(McpSyncClient client, int n) throws Exception {
        FileBench.call(client, "exec", Map.of("host", "fleet-1", "command", "true")); // warm the pool
        long[] opens = new long[10];
        String id = null;
        for (int i = 0; i < opens.length; i++) {
            long t0 = System.nanoTime();
            McpSchema.CallToolResult open = JarServer.call(client, "shell_open", Map.of("host", "fleet-1"));
            opens[i] = System.nanoTime() - t0;
            if (id != null) {
                FileBench.call(client, "shell_close", Map.of("session_id", id));
            }
            id = (String) ((Map<?, ?>) open.structuredContent()).get("session_id");
        }
        Bench.report("shell_open, root via sudo with a password (warm pool)", opens);
        String shell = id;
        for (int i = 0; i < 50; i++) {
            FileBench.call(client, "shell_run", Map.of("session_id", shell, "command", "true"));
        }
        long[] lat = new long[n];
        for (int i = 0; i < n; i++) {
            lat[i] = FileBench.time(
                    () -> FileBench.call(client, "shell_run", Map.of("session_id", shell, "command", "true")));
        }
        Bench.report("shell_run 'true' on an open root shell", lat);
        FileBench.call(client, "shell_close", Map.of("session_id", shell));

        String s = "bench-" + ProcessHandle.current().pid();
        FileBench.call(client, "tmux_new", Map.of("host", "fleet-2", "session", s));
        try {
            FileBench.call(
                    client, "tmux_paste", Map.of("host", "fleet-2", "target", s, "text", "seq 1 100", "enter", true));
            long[] cap = new long[Math.min(n, 300)];
            for (int i = 0; i < cap.length; i++) {
                cap[i] = FileBench.time(() ->
                        FileBench.call(client, "tmux_capture", Map.of("host", "fleet-2", "target", s, "lines", 100)));
            }
            Bench.report("tmux_capture of 100 lines (root's tmux server)", cap);
        } finally {
            FileBench.call(client, "tmux_kill", Map.of("host", "fleet-2", "target", s));
        }
    }
}
