package io.github.sshfleet.ssh;

import io.github.sshfleet.core.Daemons;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/** Byte relays between sockets and SSH channels (port forwards, jump hosts): copy, count, half-close, clean up. */
public final class Pipes {

    private Pipes() {}

    /** Copies until EOF or an error, adding to {@code counter} (may be null); closes neither side. */
    public static void copy(InputStream in, OutputStream out, AtomicLong counter) {
        byte[] buf = new byte[32 * 1024];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                out.flush();
                if (counter != null) {
                    counter.addAndGet(n);
                }
            }
        } catch (IOException e) {
            // one side closed: the relay ends
        }
    }

    /**
     * Relays socket {@code s} and a peer (an SSH channel or another socket) both ways, like a TCP connection: each
     * direction ends on its own EOF and half-closes the other side ({@code peerEof}, then our socket's output).
     * Returns when the peer-to-socket direction has ended and the other one has too (or 5 s later).
     */
    public static void relay(
            Socket s,
            InputStream fromPeer,
            OutputStream toPeer,
            Runnable peerEof,
            AtomicLong toPeerBytes,
            AtomicLong fromPeerBytes,
            String name)
            throws InterruptedException {
        Thread up = Daemons.start(name + "-up", () -> {
            copy(in(s), toPeer, toPeerBytes);
            peerEof.run();
        });
        copy(fromPeer, out(s), fromPeerBytes);
        shutdownOutput(s);
        up.join(5000);
    }

    public static InputStream in(Socket s) {
        try {
            return s.getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static OutputStream out(Socket s) {
        try {
            return s.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends our sending direction only (TCP half-close), so the other side may still answer. */
    public static void shutdownOutput(Socket s) {
        try {
            s.shutdownOutput();
        } catch (IOException ignored) {
            // already closed
        }
    }

    public static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
