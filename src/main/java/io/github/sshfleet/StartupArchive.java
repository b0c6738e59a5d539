package io.github.sshfleet;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code --cds}: writes an application class-data archive (AppCDS) for this JAR, so a client can start the server
 * with {@code -XX:SharedArchiveFile=...} and answer tools/list in about half the time (the MCP SDK, Jackson and
 * Reactor classes are loaded from the archive instead of being parsed and verified again). The archive is made by
 * running this JAR once through the MCP handshake and one tool call with no config (so nothing is contacted).
 * <p>
 * A stale archive (the JAR or the JDK changed) only costs the speed-up, but the JVM says so on <em>stdout</em> by
 * default, which would corrupt the protocol: the printed command therefore sends the JVM's own log to stderr
 * ({@link #JVM_OPTIONS}).
 */
final class StartupArchive {

    private static final String HANDSHAKE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"ssh-fleet-cds","version":"1"}}}
            {"jsonrpc":"2.0","method":"notifications/initialized"}
            {"jsonrpc":"2.0","id":2,"method":"tools/list"}
            {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_machines","arguments":{}}}
            """;

    /** After -XX:SharedArchiveFile: JVM warnings (a stale archive) to stderr, never to stdout. */
    static final String JVM_OPTIONS = "-Xlog:disable -Xlog:all=warning:stderr";

    private StartupArchive() {}

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // a temporary directory left behind is harmless
        }
    }

    static int write(PrintStream out, Path home, String version) {
        Path jar;
        try {
            jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            System.err.println("ssh-fleet --cds: cannot find the JAR this runs from: " + e.getMessage());
            return 1;
        }
        if (!Files.isRegularFile(jar)) {
            System.err.println("ssh-fleet --cds: run it from the JAR (java -jar ssh-fleet.jar --cds), not from " + jar);
            return 1;
        }
        Path dir = home.resolve(".ssh-fleet");
        Path archive = dir.resolve("ssh-fleet-" + version + ".jsa");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(archive);
            Path emptyHome = Files.createTempDirectory("ssh-fleet-cds-");
            ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "-XX:ArchiveClassesAtExit=" + archive,
                    "-jar", jar.toString()));
            pb.environment().put("HOME", emptyHome.toString());
            pb.environment().remove("SSH_FLEET_CONFIG");
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
            Process p = pb.start();
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write(HANDSHAKE.getBytes(StandardCharsets.UTF_8));
                stdin.flush();
                Thread.sleep(3000); // let it answer (and load what answering needs) before EOF ends it
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                System.err.println("ssh-fleet --cds: the archiving run did not finish in 60 s");
                return 1;
            }
            deleteQuietly(emptyHome);
        } catch (IOException e) {
            System.err.println("ssh-fleet --cds: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        if (!Files.isRegularFile(archive)) {
            System.err.println("ssh-fleet --cds: the JVM wrote no archive (this JDK may not support "
                    + "-XX:ArchiveClassesAtExit; it needs JDK 13+)");
            return 1;
        }
        out.println("Wrote " + archive + ". Start the server with it, e.g.:");
        out.println("  claude mcp add --transport stdio ssh-fleet -- java -XX:SharedArchiveFile=" + archive + " "
                + JVM_OPTIONS + " -jar " + jar);
        out.println("Re-run --cds after upgrading ssh-fleet or the JDK (a stale archive is ignored with a warning on "
                + "stderr).");
        return 0;
    }
}
