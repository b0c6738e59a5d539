package io.github.sshfleet.testing;

import io.github.sshfleet.core.Daemons;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A wide-area link on loopback: a TCP relay that delivers every chunk {@code oneWayMillis} after it arrived, in each
 * direction, in order (50 ms RTT with 25). Bandwidth is not limited: what it shows is how many round trips a call
 * waits for. The rtt bench counts round trips with it; SpareChannelTest makes a race that loopback hides visible.
 */
public final class DelayRelay implements AutoCloseable {

    private final ServerSocket listener;
    private final String host;
    private final int port;
    private final long oneWayMillis;

    public DelayRelay(String host, int port, long oneWayMillis) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.host = host;
        this.port = port;
        this.oneWayMillis = oneWayMillis;
        Daemons.start("bench-delay-relay", this::accept);
    }

    public int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket in = listener.accept();
                Socket out = new Socket();
                out.connect(new InetSocketAddress(host, port), 5000);
                in.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                // listener closed, or the target refused: the client sees a closed connection
            }
        }
    }

    /** Copies {@code from} to {@code to}, each chunk written oneWayMillis after it was read. */
    private void pump(Socket from, Socket to) {
        ScheduledExecutorService later =
                Executors.newSingleThreadScheduledExecutor(Daemons.factory("bench-delay", false));
        Daemons.start("bench-delay-read", () -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) > 0) {
                    byte[] chunk = Arrays.copyOf(buf, n);
                    later.schedule(
                            () -> {
                                try {
                                    out.write(chunk);
                                    out.flush();
                                } catch (IOException e) {
                                    close(to);
                                }
                            },
                            oneWayMillis,
                            TimeUnit.MILLISECONDS);
                }
            } catch (IOException e) {
                // the connection ended
            }
            later.schedule(() -> close(to), oneWayMillis, TimeUnit.MILLISECONDS);
            later.shutdown();
        });
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
