package io.github.sshfleet.ssh;

import io.github.sshfleet.core.Daemons;
import io.github.sshfleet.core.Secrets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport for a ProxyCommand machine: the operator's command runs here under {@code sh -c} with %h %p %r %n %%
 * expanded (each value shell-quoted), and a loopback listener that takes exactly one connection (ours) relays it to
 * the command's stdin and stdout, as ssh uses them. Its stderr goes to the log, bounded. The command and everything
 * it started are killed when the relay closes (the session ended, or the connect failed) and when the server exits.
 */
final class ProxyRelay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProxyRelay.class);

    /** Lines of a proxy's stderr that reach the log; the rest is counted, not kept. */
    static final int STDERR_LINES = 20;

    /**
     * How long a command whose stdout has ended may take to exit by itself before the relay kills it: its last
     * words (why it gave up) often come after its stdout closed, and {@link #stderrHead} waits as long for them.
     */
    static final long EXIT_GRACE_MILLIS = 2000;

    /** Every proxy still running, so none outlives the server. */
    private static final Set<ProxyRelay> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ProxyRelay::close), "ssh-fleet-proxy-kill"));
    }

    private final ServerSocket listener;
    private final Process process;
    private final String name;
    private volatile Socket socket;
    private volatile Thread stderrReader;
    /** The first stderr lines, for the connect error when the proxy fails before SSH starts. */
    private final StringBuffer stderrHead = new StringBuffer();

    private ProxyRelay(ServerSocket listener, Process process, String name) {
        this.listener = listener;
        this.process = process;
        this.name = name;
    }

    /** Starts {@code template} for machine {@code name} (user@host:port) and a listener for its one connection. */
    static ProxyRelay open(String template, String host, int port, String user, String name, long acceptMillis)
            throws IOException {
        String command = expand(template, host, port, user, name);
        ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Process p;
        try {
            // "exec", as ssh runs it: the command itself is the process we kill, not a shell around it.
            p = new ProcessBuilder("/bin/sh", "-c", "exec " + command).start();
        } catch (IOException e) {
            Pipes.closeQuietly(ss);
            throw e;
        }
        ProxyRelay r = new ProxyRelay(ss, p, name);
        LIVE.add(r);
        r.stderrReader = Daemons.start("ssh-fleet-proxy-stderr-" + name, r::logStderr);
        Daemons.start("ssh-fleet-proxy-" + name, () -> r.serve(acceptMillis));
        log.debug("proxy for {} started (pid {})", name, p.pid());
        return r;
    }

    /** The command line for {@code sh -c}: the template with its tokens replaced by quoted values. */
    static String expand(String template, String host, int port, String user, String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '%' || i + 1 >= template.length()) {
                out.append(c);
                continue;
            }
            char t = template.charAt(++i);
            switch (t) {
                case 'h' -> out.append(Shell.quote(host));
                case 'p' -> out.append(Shell.quote(Integer.toString(port)));
                case 'r' -> out.append(Shell.quote(user));
                case 'n' -> out.append(Shell.quote(name));
                case '%' -> out.append('%');
                default -> throw new IllegalArgumentException("ProxyCommand token %" + t + " is not expanded");
            }
        }
        return out.toString();
    }

    /**
     * What the command wrote to stderr first (bounded, secrets masked), or "". A command that has exited is given a
     * moment to have its stderr read to the end: the reader ends at EOF, which {@link #close} never cuts short.
     */
    String stderrHead() {
        try {
            Thread reader = stderrReader;
            if (reader != null && process.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
                reader.join(2000); // the reader ends at EOF, once the command and its children are gone
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return stderrHead.toString();
    }

    int port() {
        return listener.getLocalPort();
    }

    long pid() {
        return process.pid();
    }

    private void serve(long acceptMillis) {
        try (ServerSocket ss = listener) {
            ss.setSoTimeout((int) Math.max(1000, acceptMillis));
            socket = ss.accept();
        } catch (IOException e) {
            log.debug("proxy relay for {} not used: {}", name, e.toString());
            close();
            return;
        }
        try {
            Pipes.relay(
                    socket,
                    process.getInputStream(),
                    process.getOutputStream(),
                    () -> Pipes.closeQuietly(process.getOutputStream()),
                    null,
                    null,
                    "ssh-fleet-proxy-" + name);
            process.waitFor(EXIT_GRACE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    private void logStderr() {
        int lines = 0;
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                // A proxy may echo what it was given (a token, a password in a URL): masked like host output.
                String shown = Secrets.mask(line.length() > 300 ? line.substring(0, 300) + "..." : line);
                if (stderrHead.length() < 400) {
                    stderrHead
                            .append(stderrHead.length() == 0 ? "" : " | ")
                            .append(shown, 0, Math.min(200, shown.length()));
                }
                if (++lines <= STDERR_LINES) {
                    log.info("proxy for {}: {}", name, shown);
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        if (lines > STDERR_LINES) {
            log.info("proxy for {}: {} more stderr lines not logged", name, lines - STDERR_LINES);
        }
    }

    /** Closes the listener and the connection, and kills the command with everything it started. */
    @Override
    public void close() {
        LIVE.remove(this);
        Pipes.closeQuietly(listener);
        Socket s = socket;
        if (s != null) {
            Pipes.closeQuietly(s);
        }
        // Through the handle, not Process.destroyForcibly: that also closes the streams, and a stderr line not yet
        // read (the reason a proxy failed at once) would be lost to the reader racing it. The JDK closes the
        // pipes itself once the process has exited; the reader gets the rest, then EOF.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.toHandle().destroyForcibly();
    }
}
