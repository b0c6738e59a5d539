package io.github.sshfleet.e2e;

import static io.github.sshfleet.testing.JarServer.INITIALIZE;
import static io.github.sshfleet.testing.JarServer.INITIALIZED;
import static io.github.sshfleet.testing.JarServer.TOOLS_LIST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sshfleet.testing.JarServer;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.modelcontextprotocol.client.McpSyncClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JAR as a process: stdout purity, clean exit, flags, and life without config. */
class ProcessE2ETest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    @RequiresSshd
    void stdoutCarriesOnlyJsonRpcEvenWhileLoggingAndFailing() throws Exception {
        SshdFleet sshd = SshdFleet.get();
        Path config = sshd.writeConfig(tmp.resolve("cfg"), sshd.standardHosts() + "broken line\n", "bogus_key: 1\n");
        ProcessBuilder pb = new ProcessBuilder(JarServer.command());
        pb.environment().putAll(JarServer.env(config, tmp));
        pb.environment().put("SSH_FLEET_LOG", "debug"); // as much stderr noise as possible
        pb.redirectError(tmp.resolve("stderr.log").toFile());
        Process p = pb.start();
        String[] requests = {
            INITIALIZE,
            INITIALIZED,
            TOOLS_LIST,
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"exec\",\"arguments\":"
                    + "{\"host\":\"all\",\"command\":\"echo out; echo err >&2; printf '\\\\n\\\\r\\\\t\\\\033[31mred'\"}}}",
            "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"exec\",\"arguments\":"
                    + "{\"host\":\"nope\",\"command\":\"true\"}}}",
            "not json at all",
            "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"sudo_exec\",\"arguments\":"
                    + "{\"host\":\"fleet-1\",\"command\":\"id -u\"}}}",
        };
        List<JsonNode> messages = exchange(p, requests, java.util.Set.of(1, 2, 3, 4, 5));
        assertTrue(
                messages.stream().anyMatch(m -> m.path("error").path("code").asInt() == -32700),
                "the malformed line got a parse error");
        assertJvmLogLeavesStdout(p.pid());
        endAndCheckRest(p);
        String stderr = Files.readString(tmp.resolve("stderr.log"));
        assertTrue(stderr.contains("DEBUG") && stderr.contains("unknown key 'bogus_key'"), "logs go to stderr");
        assertTrue(stderr.contains("line skipped"), "bad hosts lines are warned about");
    }

    @Test
    void withoutAnyConfigTheServerStartsAndExplainsSetup() throws Exception {
        McpSyncClient c = JarServer.client(null, tmp);
        try {
            String list = JarServer.text(JarServer.call(c, "list_machines", Map.of()));
            assertTrue(list.contains("No machines configured") && list.contains("config.yaml"), list);
            var r = JarServer.call(c, "exec", Map.of("host", "web-1", "command", "true"));
            assertTrue(r.isError());
            assertTrue(
                    JarServer.text(r).contains("hosts.tsv") && JarServer.text(r).contains("add_host"),
                    JarServer.text(r));
        } finally {
            c.closeGracefully();
        }
    }

    @Test
    void checkConfigVersionAndHelp() throws Exception {
        Path good = tmp.resolve("good.yaml");
        Files.writeString(tmp.resolve("hosts.tsv"), "a\t10.0.0.1\tu:secret-pw\n");
        Files.setPosixFilePermissions(
                tmp.resolve("hosts.tsv"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.writeString(good, "auth_file: " + tmp.resolve("hosts.tsv") + "\n");
        Result ok = run(Map.of("SSH_FLEET_CONFIG", good.toString(), "HOME", tmp.toString()), "--check-config");
        assertEquals(0, ok.code, ok.out);
        assertTrue(ok.out.contains("a\tu@10.0.0.1:22") && !ok.out.contains("secret-pw"), ok.out);

        Path guarded = tmp.resolve("guarded.yaml");
        Files.writeString(tmp.resolve("hosts2.tsv"), "a\t10.0.0.1\tu:secret-pw\nb\t10.0.0.2\tu:secret-pw\n");
        Files.setPosixFilePermissions(
                tmp.resolve("hosts2.tsv"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.writeString(
                guarded,
                "auth_file: " + tmp.resolve("hosts2.tsv") + "\npolicy:\n  - machines: a\n    mode: readonly\n");
        Result policy = run(Map.of("SSH_FLEET_CONFIG", guarded.toString(), "HOME", tmp.toString()), "--check-config");
        assertEquals(0, policy.code, policy.out);
        assertTrue(policy.out.contains("a\tpolicy entry 1 (machines: a; mode readonly)"), policy.out);
        assertTrue(policy.out.contains("b\tno entry: mode full"), policy.out);
        assertTrue(policy.out.contains("approval:       built-in confirm set on, approval_timeout 120 s"), policy.out);
        assertTrue(
                policy.out.contains("audit log:      " + tmp.resolve(".ssh-fleet/audit") + " (required"), policy.out);

        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "host_key_policy: maybe\n");
        Result failed = run(Map.of("SSH_FLEET_CONFIG", bad.toString(), "HOME", tmp.toString()), "--check-config");
        assertEquals(1, failed.code, failed.out);
        assertTrue(failed.out.contains("bad.yaml:1") && failed.out.contains("maybe"), failed.out);

        Result version = run(Map.of("HOME", tmp.toString()), "--version");
        assertEquals(0, version.code);
        assertTrue(version.out.startsWith("ssh-fleet 0.") || version.out.startsWith("ssh-fleet 1."), version.out);
        assertTrue(version.out.matches("(?s).*\\ncommit   [0-9a-f]{40}.*"), version.out); // CI builds a git clone
        assertTrue(version.out.contains("Apache MINA SSHD 2.") && version.out.contains("MCP Java SDK 2."), version.out);
        assertFalse(version.out.contains("${"), version.out);
        Result help = run(Map.of("HOME", tmp.toString()), "--help");
        assertTrue(help.out.contains("--check-config"));
        assertEquals(2, run(Map.of("HOME", tmp.toString()), "--bogus").code);
    }

    /**
     * Started with the class-data options and no archive yet, the server writes the archive itself; the next start
     * uses it; after an upgrade (the JAR changed) the stale archive is reported on stderr only, never on stdout (the
     * JVM's default, which would break the protocol), and rewritten. `--cds` writes one at once and prints the flags.
     */
    @Test
    void classDataArchiveIsWrittenUsedAndRefreshedWithoutTouchingStdout() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("app"));
        Path jar = Files.copy(JarServer.jar(), app.resolve("ssh-fleet.jar"));
        Path archive = tmp.resolve("cds").resolve("ssh-fleet.jsa");
        Files.createDirectories(archive.getParent());
        List<String> options = List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:disable", "-Xlog:all=warning:stderr");

        String first = startListAndStop(options, jar, archive, true);
        assertFalse(first.contains("Unable to use shared archive"), first);
        assertTrue(Files.isRegularFile(archive), "the server wrote the missing archive\n" + first);

        String second = startListAndStop(options, jar, archive, false);
        assertFalse(second.contains("Unable to use shared archive") || second.contains("writing it"), second);

        long before = Files.getLastModifiedTime(archive).toMillis();
        Files.setLastModifiedTime(
                jar,
                java.nio.file.attribute.FileTime.fromMillis( // an upgraded JAR
                        Files.getLastModifiedTime(jar).toMillis() + 60_000));
        String stale = startListAndStop(options, jar, archive, true);
        assertTrue(stale.contains("Unable to use shared archive"), "the JVM noticed (on stderr)\n" + stale);
        assertTrue(Files.getLastModifiedTime(archive).toMillis() > before, "the stale archive was rewritten");

        ProcessBuilder cds = new ProcessBuilder(javaCommand(List.of(), jar, "--cds")).redirectErrorStream(true);
        cds.environment().put("HOME", tmp.toString());
        Process a = cds.start();
        String printed = new String(a.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(a.waitFor(90, TimeUnit.SECONDS));
        assertEquals(0, a.exitValue(), printed);
        Path written = tmp.resolve(".ssh-fleet").resolve("ssh-fleet.jsa");
        assertTrue(
                Files.isRegularFile(written)
                        && printed.contains("java -XX:+UseSerialGC -Xms32m -Xmx256m -XX:SharedArchiveFile=" + written
                                + " -Xlog:disable -Xlog:all=warning:stderr -jar " + jar),
                printed);
        // Before, the training run contacted nothing, so a first connect's classes were parsed and verified anew.
        Process shared = new ProcessBuilder(
                        javaCommand(List.of("-XX:SharedArchiveFile=" + written, "-XX:+PrintSharedArchiveAndExit"), jar))
                .redirectErrorStream(true)
                .start();
        String classes = new String(shared.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(shared.waitFor(60, TimeUnit.SECONDS));
        assertTrue(
                classes.contains("org.apache.sshd.client.session.ClientUserAuthService ")
                        && classes.contains("org.apache.sshd.client.channel.ChannelExec "),
                "the archive holds what a login and an exec load");
        // Before, the training login went through keyboard-interactive and ran with the audit trail off, so the
        // password login and the audit trail of a first call were loaded from the JAR.
        assertTrue(
                classes.contains("org.apache.sshd.client.auth.password.UserAuthPassword ")
                        && classes.contains("io.github.sshfleet.audit.AuditRecord "),
                "the archive holds a password login and the audit trail");
        try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertTrue(
                    left.noneMatch(f -> f.getFileName().toString().startsWith("ssh-fleet-cds-")),
                    "the training run's temporary HOME is removed");
        }
    }

    /**
     * A server that lives two seconds (as under `claude mcp list`) with a missing archive neither writes it nor
     * leaves a half-written one behind. Before: it started a training run at once, whose 25 MB temporary archive
     * was left when the server exited first.
     */
    @Test
    void aShortLivedServerDoesNotTrainAndLeavesNothing() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("short"));
        Path jar = Files.copy(JarServer.jar(), app.resolve("ssh-fleet.jar"));
        Path archive = Files.createDirectories(tmp.resolve("short-cds")).resolve("ssh-fleet.jsa");
        List<String> options = List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:disable", "-Xlog:all=warning:stderr");
        ProcessBuilder pb = new ProcessBuilder(javaCommand(options, jar));
        pb.environment().put("HOME", tmp.toString());
        pb.environment().remove("SSH_FLEET_CONFIG");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        exchange(p, new String[] {INITIALIZE, INITIALIZED, TOOLS_LIST}, java.util.Set.of(1, 2));
        Thread.sleep(2000);
        endAndCheckRest(p);
        Thread.sleep(6000); // a training run started at once would have ended (and dumped) by now
        try (var left = Files.list(archive.getParent())) {
            List<Path> files = left.toList();
            assertTrue(files.isEmpty(), "nothing written or left behind: " + files);
        }
    }

    /**
     * The README's registration lines, as written (the home and JAR paths filled in): the JVM accepts every option, the
     * server answers over stdout with JSON-RPC only, and the options took effect (Serial GC, the heap bound). The
     * Codex lines must say the same words. Before, the README only described these options below a plain line.
     */
    @Test
    void theReadmesRegistrationLineRunsAsWrittenWithItsOptionsInEffect() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String section =
                readme.substring(readme.indexOf("## Register it with a client"), readme.indexOf("MCP Inspector:"));
        java.util.regex.Matcher claude = java.util.regex.Pattern.compile(
                        "claude mcp add --transport stdio --scope user ssh-fleet -- (java (?:\\\\\n|[^\\n])*)")
                .matcher(section);
        assertTrue(claude.find(), "the Claude Code line in README.md");
        List<String> words = List.of(claude.group(1).replace("\\\n", " ").trim().split("\\s+"));
        java.util.regex.Matcher toml =
                java.util.regex.Pattern.compile("args = \\[([^\\]]*)]").matcher(section);
        assertTrue(toml.find(), "the Codex config.toml args in README.md");
        List<String> tomlWords = new ArrayList<>(List.of("java"));
        for (JsonNode w : JSON.readTree("[" + toml.group(1) + "]")) {
            tomlWords.add(w.asText().replace("/home/you", "$HOME"));
        }
        assertEquals(words, tomlWords, "config.toml says what the claude line says");
        assertTrue(
                words.contains("-jar") && words.get(words.size() - 1).equals("/abs/path/ssh-fleet.jar"),
                words.toString());

        Path jar = Files.copy(
                JarServer.jar(), Files.createDirectories(tmp.resolve("readme")).resolve("ssh-fleet.jar"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String w : words.subList(1, words.size())) {
            command.add(w.replace("$HOME", tmp.toString()).replace("/abs/path/ssh-fleet.jar", jar.toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("HOME", tmp.toString());
        pb.environment().remove("SSH_FLEET_CONFIG");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        List<JsonNode> answers =
                exchange(p, new String[] {INITIALIZE, INITIALIZED, TOOLS_LIST}, java.util.Set.of(1, 2));
        assertTrue(answers.stream().anyMatch(n -> n.path("result").path("tools").size() > 20), "tools listed");
        Process flags = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(p.pid()),
                        "VM.flags")
                .redirectErrorStream(true)
                .start();
        String set = new String(flags.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(flags.waitFor(30, TimeUnit.SECONDS));
        assertTrue(
                set.contains("-XX:+UseSerialGC") && set.contains("-XX:MaxHeapSize=268435456"),
                "Serial GC and a 256 MB heap bound in effect: " + set);
        endAndCheckRest(p);
    }

    /**
     * One server run with the given JVM options: handshake over raw stdio (every stdout line must be JSON-RPC), then,
     * if {@code expectArchiveWrite}, waits until the server has (re)written the archive; returns the server's stderr.
     */
    private String startListAndStop(List<String> options, Path jar, Path archive, boolean expectArchiveWrite)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(javaCommand(options, jar));
        pb.environment().put("HOME", tmp.toString());
        pb.environment().remove("SSH_FLEET_CONFIG");
        Path stderr = Files.createTempFile(tmp, "stderr-", ".log");
        pb.redirectError(stderr.toFile());
        Process p = pb.start();
        List<JsonNode> answers =
                exchange(p, new String[] {INITIALIZE, INITIALIZED, TOOLS_LIST}, java.util.Set.of(1, 2));
        assertTrue(answers.stream().anyMatch(n -> n.path("result").path("tools").size() > 20), "tools listed");
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                expectArchiveWrite
                        && !Files.readString(stderr).contains("archive " + archive + " written")
                        && System.nanoTime() < end; ) {
            Thread.sleep(200);
        }
        endAndCheckRest(p);
        return Files.readString(stderr);
    }

    /** The JVM's own warnings (GC, threads, code cache) default to stdout; the server moves them to stderr. */
    private static void assertJvmLogLeavesStdout(long pid) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        String outputs = "";
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); System.nanoTime() < end; Thread.sleep(200)) {
            Process j = new ProcessBuilder(jcmd, Long.toString(pid), "VM.log", "list")
                    .redirectErrorStream(true)
                    .start();
            outputs = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            j.waitFor(20, TimeUnit.SECONDS);
            if (outputs.contains("stdout all=off") && outputs.contains("stderr all=warning")) {
                return;
            }
        }
        throw new AssertionError("the JVM still logs to stdout:\n" + outputs);
    }

    private static List<String> javaCommand(List<String> jvmOptions, Path jar, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Writes the requests as raw lines and reads stdout until every id in {@code ids} is answered; every line read
     * must be a JSON-RPC message (a stray line fails the parse).
     */
    private static List<JsonNode> exchange(Process p, String[] requests, java.util.Set<Integer> ids) throws Exception {
        OutputStream in = p.getOutputStream();
        for (String r : requests) {
            in.write((r + "\n").getBytes(StandardCharsets.UTF_8));
        }
        in.flush();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<JsonNode> messages = new ArrayList<>();
        java.util.Set<Integer> answered = new java.util.HashSet<>();
        while (!answered.containsAll(ids)) {
            String line = out.readLine();
            if (line == null) {
                break;
            }
            JsonNode n = JSON.readTree(line); // throws if anything but JSON reached stdout
            assertEquals("2.0", n.get("jsonrpc").asText(), line);
            messages.add(n);
            if (n.hasNonNull("id")) {
                answered.add(n.get("id").asInt());
            }
        }
        assertEquals(ids, answered);
        return messages;
    }

    /** Closes stdin: the server must exit by itself, cleanly, and whatever else it wrote must be JSON too. */
    private static void endAndCheckRest(Process p) throws Exception {
        p.getOutputStream().close();
        assertTrue(p.waitFor(15, TimeUnit.SECONDS), "server did not exit after stdin closed");
        assertEquals(0, p.exitValue());
        String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        for (String line : rest.split("\n")) {
            if (!line.isBlank()) {
                JSON.readTree(line);
            }
        }
    }

    record Result(int code, String out) {}

    private Result run(Map<String, String> env, String arg) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(JarServer.command(arg)).redirectErrorStream(true);
        pb.environment().remove("SSH_FLEET_CONFIG");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertFalse(out.isEmpty());
        return new Result(p.exitValue(), out);
    }
}
