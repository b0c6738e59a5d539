package io.github.sshfleet.testing;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The shaded JAR as shipped, spawned over stdio and driven by the SDK's own MCP client. */
public final class JarServer {

    private JarServer() {}

    /** The handshake as raw stdin lines, for tests that read stdout themselves (no client library in between). */
    public static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
            + "\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";

    public static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    public static final String TOOLS_LIST = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";

    public static Path jar() {
        Path jar = Path.of(System.getProperty("sshfleet.jar", "target/ssh-fleet.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar + " missing: run './mvnw verify' (the e2e tests need the packaged JAR)");
        }
        return jar;
    }

    /** java -jar ssh-fleet.jar with HOME moved to {@code home} and SSH_FLEET_CONFIG set when config is non-null. */
    public static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    public static Map<String, String> env(Path config, Path home) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        if (config != null) {
            env.put("SSH_FLEET_CONFIG", config.toString());
        }
        // For profiling a bench by hand (-Dsshfleet.serverOptions=-XX:StartFlightRecording=...): the server's JVM only.
        String options = System.getProperty("sshfleet.serverOptions");
        if (options != null) {
            env.put("JDK_JAVA_OPTIONS", options);
        }
        return env;
    }

    public static McpSyncClient client(Path config, Path home) {
        return client(config, home, p -> {});
    }

    /** A client whose progress notifications go to {@code progress}. */
    public static McpSyncClient client(
            Path config, Path home, java.util.function.Consumer<McpSchema.ProgressNotification> progress) {
        return client(config, home, progress, List.of());
    }

    /** With extra JVM options before -jar (the benchmark's class-data archive). */
    public static McpSyncClient client(
            Path config,
            Path home,
            java.util.function.Consumer<McpSchema.ProgressNotification> progress,
            List<String> jvmOptions) {
        return client(config, home, progress, jvmOptions, Map.of());
    }

    /** With extra JVM options and extra environment variables. */
    public static McpSyncClient client(
            Path config,
            Path home,
            java.util.function.Consumer<McpSchema.ProgressNotification> progress,
            List<String> jvmOptions,
            Map<String, String> extraEnv) {
        return client(config, home, progress, jvmOptions, extraEnv, line -> {});
    }

    /** With extra JVM options, extra environment variables, and the server's log lines (stderr) to {@code log}. */
    public static McpSyncClient client(
            Path config,
            Path home,
            java.util.function.Consumer<McpSchema.ProgressNotification> progress,
            List<String> jvmOptions,
            Map<String, String> extraEnv,
            java.util.function.Consumer<String> log) {
        return client(config, home, progress, jvmOptions, extraEnv, log, null);
    }

    /**
     * A client that declares the elicitation capability and answers each question with {@code answer} (as a person
     * at Claude Code's prompt would).
     */
    public static McpSyncClient asking(
            Path config,
            Path home,
            java.util.function.Function<McpSchema.ElicitFormRequest, McpSchema.ElicitResult> answer) {
        return client(config, home, p -> {}, List.of(), Map.of(), line -> {}, answer);
    }

    private static McpSyncClient client(
            Path config,
            Path home,
            java.util.function.Consumer<McpSchema.ProgressNotification> progress,
            List<String> jvmOptions,
            Map<String, String> extraEnv,
            java.util.function.Consumer<String> log,
            java.util.function.Function<McpSchema.ElicitFormRequest, McpSchema.ElicitResult> answer) {
        List<String> cmd = new ArrayList<>(command());
        cmd.addAll(1, jvmOptions);
        Map<String, String> env = new HashMap<>(env(config, home));
        env.putAll(extraEnv);
        ServerParameters params = ServerParameters.builder(cmd.get(0))
                .args(cmd.subList(1, cmd.size()))
                .env(env)
                .build();
        StdioClientTransport transport = new StdioClientTransport(params, McpJsonDefaults.getMapper());
        transport.setStdErrorHandler(log::accept);
        McpClient.SyncSpec spec = McpClient.sync(new SerializedClientTransport(transport))
                .requestTimeout(Duration.ofSeconds(90))
                .initializationTimeout(Duration.ofSeconds(30))
                .progressConsumer(progress);
        if (answer != null) {
            spec.capabilities(
                            McpSchema.ClientCapabilities.builder().elicitation().build())
                    .elicitation(answer);
        }
        McpSyncClient client = spec.build();
        client.initialize();
        return client;
    }

    public static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
        return client.callTool(
                McpSchema.CallToolRequest.builder(tool).arguments(args).build());
    }

    /** A call that asks for progress notifications with {@code token}. */
    public static McpSchema.CallToolResult callWithProgress(
            McpSyncClient client, String tool, Map<String, Object> args, String token) {
        return client.callTool(McpSchema.CallToolRequest.builder(tool)
                .arguments(args)
                .progressToken(token)
                .build());
    }

    public static String text(McpSchema.CallToolResult r) {
        StringBuilder sb = new StringBuilder();
        for (McpSchema.Content c : r.content()) {
            if (c instanceof McpSchema.TextContent t) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }
}
