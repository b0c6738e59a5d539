package io.github.sshfleet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress notifications, parallel calls with progress, and client cancellation, through the shipped JAR. */
@RequiresSshd
class LongRunningE2ETest {

    @TempDir
    static Path tmp;

    static Path config;
    static McpSyncClient client;
    static final List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        config = sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts(), "");
        client = JarServer.client(config, tmp.resolve("home"), progress::add);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.closeGracefully();
        }
    }

    static List<McpSchema.ProgressNotification> of(String token) {
        return progress.stream().filter(p -> token.equals(p.progressToken())).toList();
    }

    @Test
    void progressArrivesWhileRunningAndStopsAfterTheResult() throws Exception {
        CallToolResult r = JarServer.callWithProgress(
                client,
                "exec",
                Map.of("host", "fleet-2", "command", "for i in 1 2 3 4 5 6; do echo line-$i; sleep 0.5; done"),
                "p-long");
        assertFalse(r.isError(), JarServer.text(r));
        List<McpSchema.ProgressNotification> seen = of("p-long");
        assertTrue(seen.size() >= 3, "about two per second over 3 s: " + seen.size());
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i).progress() > seen.get(i - 1).progress(), "progress only grows");
        }
        assertTrue(
                seen.stream().anyMatch(p -> p.message() != null && p.message().contains("last line: line-")),
                "the last output line is in the message");
        int after = seen.size();
        Thread.sleep(1500);
        assertEquals(after, of("p-long").size(), "no progress after the result");
    }

    @Test
    void sixteenParallelCallsWithProgressKeepTheProtocolIntact() throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(16);
        try {
            List<Future<CallToolResult>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int n = i;
                calls.add(ex.submit(() -> JarServer.callWithProgress(
                        client,
                        "exec",
                        Map.of("host", "fleet-" + (n % 3 + 1), "command", "sleep 1.2; echo par-" + n),
                        "par-" + n)));
            }
            for (int i = 0; i < 16; i++) {
                CallToolResult r = calls.get(i).get(60, TimeUnit.SECONDS);
                assertFalse(r.isError(), JarServer.text(r));
                assertTrue(JarServer.text(r).contains("par-" + i));
                assertFalse(of("par-" + i).isEmpty(), "call " + i + " got progress");
            }
        } finally {
            ex.shutdown();
        }
    }

    @Test
    void cancellingARequestStopsTheRemoteCommand() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(JarServer.command());
        pb.environment().putAll(JarServer.env(config, tmp.resolve("home2")));
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String marker = "sleep 313." + (System.nanoTime() % 100000);
        try {
            OutputStream in = p.getOutputStream();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            send(
                    in,
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                            + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}");
            send(in, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            send(
                    in,
                    "{\"jsonrpc\":\"2.0\",\"id\":\"call-7\",\"method\":\"tools/call\",\"params\":{\"name\":"
                            + "\"sudo_exec\",\"arguments\":{\"host\":\"fleet-1\",\"command\":\"" + marker
                            + "; echo x\"}}}");
            List<String> running = List.of();
            for (int i = 0; i < 50 && running.isEmpty(); i++) {
                Thread.sleep(100);
                running = SshdFleet.processes(marker);
            }
            assertFalse(running.isEmpty(), "the command started");
            send(
                    in,
                    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"call-7\","
                            + "\"reason\":\"user pressed Esc\"}}");
            List<String> left = SshdFleet.processes(marker);
            for (int i = 0; i < 80 && !left.isEmpty(); i++) {
                Thread.sleep(100);
                left = SshdFleet.processes(marker);
            }
            assertEquals(List.of(), left, "the remote command was stopped");
            ObjectMapper json = new ObjectMapper();
            JsonNode answer = null;
            for (String line; (line = out.readLine()) != null; ) {
                JsonNode n = json.readTree(line);
                if ("call-7".equals(n.path("id").asText())) {
                    answer = n;
                    break;
                }
            }
            assertTrue(answer != null && answer.path("result").path("isError").asBoolean(), String.valueOf(answer));
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    static void send(OutputStream in, String line) throws Exception {
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }
}
