package io.github.sshfleet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real fleet for tests: OpenSSH sshd processes on 127.0.0.21.. (one "machine" each), a free high port, their own
 * host key and config, and real users created on this machine:
 * <ul>
 * <li>{@code sft_pw}: password login, sudo asks for the password</li>
 * <li>{@code sft_np}: password login, NOPASSWD sudo</li>
 * <li>{@code sft_nosudo}: password login, no sudo rights</li>
 * </ul>
 * plus client keys (ed25519, RSA, ECDSA, and an ed25519 key with a passphrase) authorized for sft_pw and sft_np.
 * Started once per JVM. Needs root, /usr/sbin/sshd, sudo and ssh-keygen: where they are missing, tests that use it
 * are reported as skipped with the reason (CI installs them).
 */
public final class SshdFleet {

    public static final String PW_USER = "sft_pw";
    public static final String NP_USER = "sft_np";
    public static final String NOSUDO_USER = "sft_nosudo";
    public static final String KEY_PASSPHRASE = "key-pass-42";

    private static SshdFleet instance;
    private static String unavailable;

    public final Path dir;
    public final int port;
    public final String pwPassword;
    public final String npPassword;
    public final String nosudoPassword;
    public final Path knownHosts;
    public final Path keyEd25519;
    public final Path keyRsa;
    public final Path keyEcdsa;
    public final Path keyEncrypted;
    private final List<Process> daemons = new ArrayList<>();
    private final List<ControlledSshd> controlled = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The host key as a known_hosts key part ("ssh-ed25519 AAAA..."). */
    public final String hostKeyLine;

    private final int hosts;

    /**
     * Why the fleet cannot run here, or null when it runs (starting it on first use). With SSH_FLEET_REQUIRE_SSHD
     * set it always answers null, so {@link #get()} fails loudly instead of tests being skipped.
     */
    public static synchronized String unavailableReason() {
        start();
        return System.getenv("SSH_FLEET_REQUIRE_SSHD") != null ? null : unavailable;
    }

    private static void start() {
        if (instance == null && unavailable == null) {
            unavailable = missingPrerequisite();
            if (unavailable == null) {
                try {
                    instance = new SshdFleet(3);
                } catch (IOException | InterruptedException | RuntimeException e) {
                    unavailable = "could not start the sshd test fleet: " + e;
                }
            }
        }
    }

    /** The shared fleet, started on first use; aborts (skips) the calling test when it cannot run here. */
    public static synchronized SshdFleet get() {
        start();
        if (unavailable != null && System.getenv("SSH_FLEET_REQUIRE_SSHD") != null) {
            // CI sets this: there, a skipped sshd test would be a silent hole, so it fails instead.
            throw new IllegalStateException("SSH_FLEET_REQUIRE_SSHD is set but " + unavailable);
        }
        Assumptions.assumeTrue(unavailable == null, () -> "SKIPPED (needs real sshd): " + unavailable);
        return instance;
    }

    private static String missingPrerequisite() {
        if (!Files.isExecutable(Path.of("/usr/sbin/sshd"))) {
            return "/usr/sbin/sshd not installed (apt-get install openssh-server)";
        }
        if (!Files.isExecutable(Path.of("/usr/bin/sudo"))) {
            return "sudo not installed (apt-get install sudo)";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "tests must run as root to create test users and start sshd";
        }
        return null;
    }

    private SshdFleet(int hosts) throws IOException, InterruptedException {
        this.hosts = hosts;
        this.dir = Files.createTempDirectory("ssh-fleet-test-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        this.pwPassword = "pw-" + random();
        this.npPassword = "np-" + random();
        this.nosudoPassword = "ns-" + random();
        createUser(PW_USER, pwPassword, PW_USER + " ALL=(ALL) ALL");
        createUser(NP_USER, npPassword, NP_USER + " ALL=(ALL) NOPASSWD: ALL");
        createUser(NOSUDO_USER, nosudoPassword, null);
        run("mkdir", "-p", "/run/sshd");
        run(
                "ssh-keygen",
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-f",
                dir.resolve("host_ed25519").toString());
        keyEd25519 = keygen("id_ed25519", "ed25519", "");
        keyRsa = keygen("id_rsa", "rsa", "");
        keyEcdsa = keygen("id_ecdsa", "ecdsa", "");
        keyEncrypted = keygen("id_encrypted", "ed25519", KEY_PASSPHRASE);
        StringBuilder authorized = new StringBuilder();
        for (Path k : List.of(keyEd25519, keyRsa, keyEcdsa, keyEncrypted)) {
            authorized.append(Files.readString(Path.of(k + ".pub")));
        }
        for (String user : List.of(PW_USER, NP_USER)) {
            Path ssh = Path.of("/home", user, ".ssh");
            run("install", "-d", "-m", "700", "-o", user, "-g", user, ssh.toString());
            Files.writeString(ssh.resolve("authorized_keys"), authorized);
            run("chown", user + ":" + user, ssh.resolve("authorized_keys").toString());
            run("chmod", "600", ssh.resolve("authorized_keys").toString());
        }
        this.port = freePort();
        String hostPub = Files.readString(dir.resolve("host_ed25519.pub")).trim();
        String keyPart = hostPub.split(" ")[0] + " " + hostPub.split(" ")[1];
        this.hostKeyLine = keyPart;
        StringBuilder known = new StringBuilder();
        for (int i = 1; i <= hosts; i++) {
            startDaemon(i);
            known.append("[")
                    .append(ip(i))
                    .append("]:")
                    .append(port)
                    .append(' ')
                    .append(keyPart)
                    .append('\n');
        }
        this.knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, known.toString());
        for (int i = 1; i <= hosts; i++) {
            awaitListening(i);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll));
    }

    /**
     * A separate sshd on {@code ips} (up to 16 loopback addresses) that the test may stop, start, freeze and thaw;
     * same users, keys and host key as the fleet. Close it at the end of the test.
     */
    public ControlledSshd controlled(String name, List<String> ips) throws IOException, InterruptedException {
        return controlled(name, ips, List.of());
    }

    /** As {@link #controlled(String, List)}, with more sshd_config lines (HostCertificate, TrustedUserCAKeys...). */
    public ControlledSshd controlled(String name, List<String> ips, List<String> sshdConfig)
            throws IOException, InterruptedException {
        ControlledSshd c = new ControlledSshd(dir, name, ips, dir.resolve("host_ed25519"), sshdConfig);
        controlled.add(c);
        return c;
    }

    public static String ip(int i) {
        return "127.0.0." + (20 + i);
    }

    public int hosts() {
        return hosts;
    }

    /** A hosts-file line for host i with the given user and password (or key= option). */
    public String line(String name, int i, String user, String credential) {
        return name + "\t" + ip(i) + ":" + port + "\t" + user + credential;
    }

    /** The standard hosts file: fleet-1 sft_pw (sudo asks), fleet-2 and fleet-3 sft_np (NOPASSWD). */
    public String standardHosts() {
        return "# test fleet\n"
                + line("fleet-1", 1, PW_USER, ":" + pwPassword) + "\n"
                + line("fleet-2", 2, NP_USER, ":" + npPassword) + "\n"
                + line("fleet-3", 3, NP_USER, ":" + npPassword) + "\n";
    }

    /**
     * Writes config.yaml + hosts.tsv (+ a copy of known_hosts) into a fresh directory; returns the config path.
     * {@code extraYaml} is appended to config.yaml.
     */
    public Path writeConfig(Path into, String hostsContent, String extraYaml) throws IOException {
        Files.createDirectories(into);
        Path hostsFile = into.resolve("hosts.tsv");
        Files.writeString(hostsFile, hostsContent);
        Files.setPosixFilePermissions(hostsFile, PosixFilePermissions.fromString("rw-------"));
        Path kh = into.resolve("known_hosts");
        Files.copy(knownHosts, kh, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path config = into.resolve("config.yaml");
        // connect_timeout 5 s unless the test sets its own (a duplicate key is a config error). The built-in confirm
        // set is off unless the test turns it on: tests of file and command mechanics write /etc and run rm -r with
        // no person to ask; the approval tests say confirm_defaults: true.
        Files.writeString(
                config,
                "auth_file: " + hostsFile + "\nknown_hosts: " + kh + "\n"
                        + (extraYaml.contains("connect_timeout:") ? "" : "connect_timeout: 5\n")
                        + (extraYaml.contains("confirm_defaults:") ? "" : "confirm_defaults: false\n") + extraYaml);
        return config;
    }

    /** Kills the per-connection sshd processes of a user: pooled sessions drop as if the network died. */
    public void dropSessionsOf(String user) throws IOException, InterruptedException {
        runAllowFail("pkill", "-KILL", "-f", "^sshd: " + user);
    }

    /** Processes on "the hosts" (this machine) whose command line matches the pattern. */
    public static List<String> processes(String pattern) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("pgrep", "-af", pattern)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isBlank() && !l.contains("pgrep")) {
                lines.add(l);
            }
        }
        return lines;
    }

    private void startDaemon(int i) throws IOException {
        Path cfg = dir.resolve("sshd-" + i + ".conf");
        Files.writeString(
                cfg,
                String.join(
                        "\n",
                        "ListenAddress " + ip(i),
                        "Port " + port,
                        "HostKey " + dir.resolve("host_ed25519"),
                        "PidFile " + dir.resolve("sshd-" + i + ".pid"),
                        "PasswordAuthentication yes",
                        "KbdInteractiveAuthentication no",
                        "PubkeyAuthentication yes",
                        "UsePAM yes",
                        "PermitRootLogin no",
                        "MaxStartups 100:30:200",
                        "Subsystem sftp internal-sftp",
                        "LogLevel ERROR",
                        ""));
        Process p = new ProcessBuilder(
                        "/usr/sbin/sshd",
                        "-D",
                        "-f",
                        cfg.toString(),
                        "-E",
                        dir.resolve("sshd-" + i + ".log").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd-" + i + ".out").toFile())
                .start();
        daemons.add(p);
    }

    private void awaitListening(int i) throws IOException, InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(ip(i), port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("sshd " + i + " did not listen on " + ip(i) + ":" + port + "; see " + dir);
    }

    private void stopAll() {
        for (ControlledSshd c : controlled) {
            try {
                c.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        daemons.forEach(Process::destroy);
    }

    private int freePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int candidate = 20000 + new SecureRandom().nextInt(20000);
            boolean free = true;
            for (int i = 1; i <= hosts; i++) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(ip(i), candidate));
                } catch (IOException taken) {
                    free = false;
                    break;
                }
            }
            if (free) {
                return candidate;
            }
        }
        throw new IOException("no free port found on 127.0.0.21..");
    }

    private Path keygen(String name, String type, String passphrase) throws IOException, InterruptedException {
        Path key = dir.resolve(name);
        run("ssh-keygen", "-q", "-t", type, "-N", passphrase, "-C", "ssh-fleet-test", "-f", key.toString());
        return key;
    }

    private static void createUser(String user, String password, String sudoRule)
            throws IOException, InterruptedException {
        runAllowFail("useradd", "-m", "-s", "/bin/bash", user);
        Process p = new ProcessBuilder("chpasswd").redirectErrorStream(true).start();
        p.getOutputStream().write((user + ":" + password + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("chpasswd failed for " + user);
        }
        Path rule = Path.of("/etc/sudoers.d", "ssh-fleet-test-" + user);
        if (sudoRule == null) {
            Files.deleteIfExists(rule);
        } else {
            Files.writeString(rule, sudoRule + "\n");
            Files.setPosixFilePermissions(rule, PosixFilePermissions.fromString("r--r-----"));
        }
    }

    static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    static void runAllowFail(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
    }

    private static String random() {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }
}
