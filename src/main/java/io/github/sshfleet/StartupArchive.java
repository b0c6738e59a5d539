package io.github.sshfleet;

import io.github.sshfleet.core.PrivateFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application class-data archive (AppCDS) that lets the server answer tools/list in about half the time: the MCP
 * SDK, Jackson and Reactor classes are mapped from the archive instead of being parsed and verified again.
 * <p>
 * Two ways to get it: {@code --cds} writes it now and prints the command that uses it; and a server started with
 * {@code -XX:SharedArchiveFile=X} whose X is missing or was made for another JAR or JDK writes X itself, in the
 * background after the handshake ({@link #refreshIfStale}), so the next start is fast and an upgrade never leaves a
 * stale archive behind. What an archive was made for is kept beside it in {@code X.stamp} (JDK build and home, JAR
 * path, size and time): file times alone would miss a JDK package whose files carry their build date. The archive is
 * made by running this JAR once under {@code -XX:ArchiveClassesAtExit}, into a temporary file renamed into place,
 * with a temporary HOME: the MCP handshake, list_machines, and an exec on an in-process {@link TrainingPeer} (a real
 * key exchange, host-key check and password login on loopback; nothing else is contacted), so a first connect's
 * classes come from the archive too.
 * <p>
 * A stale archive only costs the speed-up, but the JVM says so on <em>stdout</em> by default, which would corrupt the
 * protocol: the command therefore sends the JVM's own log to stderr ({@link #JVM_OPTIONS}).
 */
final class StartupArchive {

    /** After -XX:SharedArchiveFile: JVM warnings (a stale archive) to stderr, never to stdout. */
    static final String JVM_OPTIONS = "-Xlog:disable -Xlog:all=warning:stderr";

    static final String FLAG = "-XX:SharedArchiveFile=";

    /**
     * A small, mostly idle service's heap: Serial GC grows the heap only as far as the calls need and gives it back,
     * where G1 keeps what the busiest moment touched (bench memory: 138-143 MB after the standard workload vs
     * 183-235 MB with the JVM's defaults on 24 GB). 256 MB holds a 500-host fan-out of full outputs and renders.
     */
    static final String FOOTPRINT = "-XX:+UseSerialGC -Xms32m -Xmx256m";

    /** The JVM command line the README registers: footprint, this archive, the JVM's log on stderr, the JAR. */
    static String command(Path archive, Path jar) {
        return "java " + FOOTPRINT + " " + FLAG + archive + " " + JVM_OPTIONS + " -jar " + jar;
    }

    /** The hidden first argument of a training run: it starts a {@link TrainingPeer} and serves with its config. */
    static final String TRAIN = "--cds-train";

    /** How long a server must have been up before it writes a missing or stale archive. */
    static final java.time.Duration TRAIN_AFTER = java.time.Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(StartupArchive.class);
    private static final String HANDSHAKE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"ssh-fleet-cds","version":"1"}}}
            {"jsonrpc":"2.0","method":"notifications/initialized"}
            {"jsonrpc":"2.0","id":2,"method":"tools/list"}
            {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_machines","arguments":{}}}
            {"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"exec","arguments":{"host":"PEER","command":"true"}}}
            """.replace("PEER", TrainingPeer.MACHINE);

    /** The training run's answers: ids 1 to this. */
    private static final int LAST_ID = 4;

    private StartupArchive() {}

    /** Where --cds puts the archive; one name for every version, since a server refreshes a stale one itself. */
    static Path defaultArchive(Path home) {
        return home.resolve(".ssh-fleet").resolve("ssh-fleet.jsa");
    }

    /** {@code --cds}: writes the archive now and prints how to start the server with it. */
    static int write(PrintStream out, Path home) {
        Optional<Path> jar = runningJar();
        if (jar.isEmpty()) {
            System.err.println("ssh-fleet --cds: run it from the JAR (java -jar ssh-fleet.jar --cds)");
            return 1;
        }
        Path archive = defaultArchive(home);
        try {
            create(archive, jar.get());
        } catch (IOException e) {
            System.err.println("ssh-fleet --cds: " + e.getMessage());
            return 1;
        }
        out.println("Wrote " + archive + ". Start the server with it, e.g.:");
        out.println("  claude mcp add --transport stdio ssh-fleet -- " + command(archive, jar.get()));
        out.println("A server started like this rewrites the archive by itself after an upgrade of ssh-fleet or the "
                + "JDK.");
        return 0;
    }

    /**
     * If this JVM was started with -XX:SharedArchiveFile=X and X is missing or was made for another JAR or JDK, writes
     * X (for the next start). Runs on a background thread after the handshake; failures are logged, never fatal.
     */
    static void refreshIfStale() {
        Optional<Path> archive = requestedArchive(
                ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()));
        Optional<Path> jar = runningJar();
        if (archive.isEmpty() || jar.isEmpty()) {
            return;
        }
        if (!isStale(archive.get(), stamp(jar.get()))) {
            return;
        }
        // A server that lives a few seconds (`claude mcp list` checks every server that way) must not pay for a
        // training run, nor leave one behind half-written: only a server still up after TRAIN_AFTER writes it.
        try {
            long wait = TRAIN_AFTER.toMillis()
                    - java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
            if (wait > 0) {
                Thread.sleep(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        log.info(
                "class-data archive {} is missing or was made for another JAR or JDK: writing it for the next start",
                archive.get());
        try {
            create(archive.get(), jar.get());
            log.info("class-data archive {} written", archive.get());
        } catch (IOException e) {
            log.warn("could not write the class-data archive {}: {}", archive.get(), e.getMessage());
        }
    }

    static Optional<Path> requestedArchive(List<String> jvmArguments) {
        return jvmArguments.stream()
                .filter(a -> a.startsWith(FLAG))
                .reduce((a, b) -> b) // the last one wins
                .map(a -> Path.of(a.substring(FLAG.length())));
    }

    /** What an archive depends on: this JDK build and the JAR as a file. */
    static String stamp(Path jar) {
        try {
            return System.getProperty("java.vm.version") + "\n" + System.getProperty("java.home") + "\n"
                    + jar.toAbsolutePath() + "\n" + Files.size(jar) + "\n"
                    + Files.getLastModifiedTime(jar).toMillis()
                    + "\n";
        } catch (IOException e) {
            return "unknown\n";
        }
    }

    /**
     * Missing, or ours (it has a stamp) and made for something else. An archive without a stamp was made by someone
     * else (say, by hand with -Xshare:dump) and is never overwritten.
     */
    static boolean isStale(Path archive, String stamp) {
        if (!Files.exists(archive)) {
            return true;
        }
        try {
            return !Files.readString(stampFile(archive)).equals(stamp);
        } catch (IOException e) {
            return false;
        }
    }

    private static Path stampFile(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".stamp");
    }

    private static Optional<Path> runningJar() {
        try {
            Path p = Path.of(Main.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty(); // not from classes/ in a build
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** One training run of the JAR under -XX:ArchiveClassesAtExit, written beside the target and renamed over it. */
    private static void create(Path archive, Path jar) throws IOException {
        Path dir = PrivateFiles.parentDirectory(archive);
        String tmpPrefix = archive.getFileName() + ".tmp-";
        removeAbandoned(dir, tmpPrefix);
        Path tmp = dir.resolve(tmpPrefix + ProcessHandle.current().pid());
        Path emptyHome = Files.createTempDirectory("ssh-fleet-cds-");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            ProcessBuilder pb = new ProcessBuilder(
                    List.of(java.toString(), "-XX:ArchiveClassesAtExit=" + tmp, "-jar", jar.toString(), TRAIN));
            pb.environment().put("HOME", emptyHome.toString());
            pb.environment().remove("SSH_FLEET_CONFIG");
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            Process p = pb.start();
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write(HANDSHAKE.getBytes(StandardCharsets.UTF_8));
                stdin.flush();
                awaitAnswers(p, 30_000); // what answering loads is what the archive is for; EOF then ends it
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("the archiving run did not finish in 60 s");
            }
            if (!Files.isRegularFile(tmp)) {
                throw new IOException("the JVM wrote no archive (-XX:ArchiveClassesAtExit needs JDK 13+)");
            }
            Files.writeString(stampFile(archive), stamp(jar)); // first: a stamp marks the archive as ours
            Files.move(tmp, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } finally {
            Files.deleteIfExists(tmp);
            deleteQuietly(emptyHome);
        }
    }

    /**
     * Reads the training run's stdout until the last request is answered or {@code millis} pass (a slow machine then
     * gets a smaller archive, not a hung server); the rest of its output is drained so it never blocks on a pipe.
     */
    private static void awaitAnswers(Process p, long millis) throws InterruptedException {
        java.util.concurrent.CountDownLatch last = new java.util.concurrent.CountDownLatch(1);
        String lastId = "\"id\":" + LAST_ID + ",";
        io.github.sshfleet.core.Daemons.start("ssh-fleet-cds-answers", () -> {
            try (var lines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.contains(lastId)) {
                        last.countDown();
                    }
                }
            } catch (IOException e) {
                // the run ended
            }
            last.countDown();
        });
        if (!last.await(millis, TimeUnit.MILLISECONDS)) {
            log.info("the archive training run did not answer within {} ms; archiving what it loaded", millis);
        }
    }

    /** Temporary archives of runs whose server exited mid-way (the training JVM still writes at its exit). */
    private static void removeAbandoned(Path dir, String prefix) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = String.valueOf(f.getFileName());
                if (name.startsWith(prefix)
                        && name.substring(prefix.length()).chars().allMatch(Character::isDigit)
                        && ProcessHandle.of(Long.parseLong(name.substring(prefix.length())))
                                .isEmpty()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
