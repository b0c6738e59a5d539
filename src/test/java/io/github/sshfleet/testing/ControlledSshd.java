package io.github.sshfleet.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH sshd that a chaos test owns: listening on up to 16 loopback addresses (one "machine" each) with the
 * fleet's users, keys and host key, and that the test can stop, start again, freeze (SIGSTOP of the daemon and every
 * session process under it, as a host that hangs without closing its sockets) and thaw. Part of {@link SshdFleet}'s
 * world: it needs the fleet to exist (users, host key), so it is made by {@link SshdFleet#controlled}.
 */
public final class ControlledSshd implements AutoCloseable {

    private final Path dir;
    private final String name;
    private final List<String> ips;
    private final int port;
    private Process daemon;

    ControlledSshd(Path dir, String name, List<String> ips, Path hostKey, List<String> extra)
            throws IOException, InterruptedException {
        if (ips.isEmpty() || ips.size() > 16) {
            throw new IllegalArgumentException("one sshd listens on 1..16 addresses");
        }
        this.dir = dir;
        this.name = name;
        this.ips = List.copyOf(ips);
        this.port = freePort(ips);
        // sshd takes the first value of a keyword: the test's own lines come first, so they can change a default
        // below (MaxSessions for a host that refuses channels early); a Match block of theirs stays last, since
        // everything after a Match line belongs to it.
        int match = 0;
        while (match < extra.size()
                && !extra.get(match).strip().toLowerCase(java.util.Locale.ROOT).startsWith("match ")) {
            match++;
        }
        List<String> lines = new ArrayList<>(extra.subList(0, match));
        ips.forEach(ip -> lines.add("ListenAddress " + ip));
        lines.addAll(List.of(
                "Port " + port,
                "HostKey " + hostKey,
                "PidFile " + dir.resolve(name + ".pid"),
                "PasswordAuthentication yes",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                // PAM costs ~10 ms per login; these hosts are for connect storms, not for PAM.
                "UsePAM no",
                "PermitRootLogin no",
                "MaxStartups 1000:30:2000",
                "MaxSessions 64",
                "Subsystem sftp internal-sftp",
                "LogLevel ERROR"));
        lines.addAll(extra.subList(match, extra.size()));
        lines.add("");
        Files.writeString(config(), String.join("\n", lines));
        start();
    }

    private Path config() {
        return dir.resolve(name + ".conf");
    }

    public int port() {
        return port;
    }

    public List<String> ips() {
        return ips;
    }

    /** known_hosts lines for every address of this daemon. */
    public String knownHostsLines(String hostKeyLine) {
        StringBuilder sb = new StringBuilder();
        ips.forEach(ip -> sb.append('[')
                .append(ip)
                .append("]:")
                .append(port)
                .append(' ')
                .append(hostKeyLine)
                .append('\n'));
        return sb.toString();
    }

    /** Starts the daemon (again) on the same addresses and port, and waits until it accepts connections. */
    public synchronized void start() throws IOException, InterruptedException {
        if (daemon != null && daemon.isAlive()) {
            return;
        }
        daemon = new ProcessBuilder(
                        "/usr/sbin/sshd",
                        "-D",
                        "-f",
                        config().toString(),
                        "-E",
                        dir.resolve(name + ".log").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve(name + ".out").toFile()))
                .start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (String ip : ips) {
            while (true) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(ip, port), 200);
                    break;
                } catch (IOException notYet) {
                    if (System.nanoTime() > until || !daemon.isAlive()) {
                        throw new IOException("sshd " + name + " did not listen on " + ip + ":" + port + "; see "
                                + dir.resolve(name + ".log"));
                    }
                    Thread.sleep(20);
                }
            }
        }
    }

    /** Stops the daemon and every session under it: connection refused from now on, open sessions drop. */
    public synchronized void stop() throws InterruptedException {
        if (daemon == null) {
            return;
        }
        thaw();
        List<ProcessHandle> all = new ArrayList<>(daemon.descendants().toList());
        daemon.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        daemon.waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle p : all) {
            p.onExit().completeOnTimeout(p, 10, TimeUnit.SECONDS).join();
        }
        daemon = null;
    }

    /** SIGSTOP to the daemon and all its sessions: sockets stay open, nothing answers (a hung or cut-off host). */
    public synchronized void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    public synchronized void thaw() throws InterruptedException {
        try {
            signal("CONT");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void signal(String sig) throws IOException, InterruptedException {
        if (daemon == null) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("kill", "-" + sig, String.valueOf(daemon.pid())));
        daemon.descendants().forEach(p -> cmd.add(String.valueOf(p.pid())));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort(List<String> ips) throws IOException {
        SecureRandom random = new SecureRandom();
        for (int attempt = 0; attempt < 50; attempt++) {
            int candidate = 40000 + random.nextInt(20000);
            boolean free = true;
            for (String ip : ips) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(ip, candidate));
                } catch (IOException taken) {
                    free = false;
                    break;
                }
            }
            if (free) {
                return candidate;
            }
        }
        throw new IOException("no free port on " + ips);
    }
}
