package io.github.sshfleet.forward;

import io.github.sshfleet.core.Daemons;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.ConnectionPool;
import io.github.sshfleet.ssh.Lease;
import io.github.sshfleet.ssh.Pipes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port forwards that outlive tool calls, each holding its machine's pooled session (a lease) until stopped.
 * Local forwards are ours end to end: a listener on this machine (loopback unless asked otherwise) and one
 * direct-tcpip channel per connection. Remote forwards are sshd listening on the host (tcpip-forward); MINA hands each
 * connection to a loopback relay of ours that connects on to the local target. Either way bytes are counted both ways.
 * All are closed on shutdown.
 */
public final class Forwards implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Forwards.class);

    /** One forward as forward_list shows it. */
    public record Info(
            String id,
            String host,
            String direction,
            String listen,
            String target,
            long bytesOut,
            long bytesIn,
            int connections,
            int active,
            Instant started,
            boolean counted) {}

    private final ConnectionPool pool;
    private final java.time.Duration connectTimeout;
    private final Map<String, Forward> forwards = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    public Forwards(ConnectionPool pool, java.time.Duration connectTimeout) {
        this.pool = pool;
        this.connectTimeout = connectTimeout;
    }

    /**
     * One forward: a listener here whose every connection is relayed by {@link #connect(Socket)}, with the counters
     * forward_list shows. Subclasses say where a connection goes; accepting, counting and cleanup live here once.
     */
    private abstract static class Forward implements AutoCloseable {
        final String id;
        final Machine machine;
        final Lease lease;
        final ServerSocket listener;
        final Instant started = Instant.now();
        final AtomicLong bytesOut = new AtomicLong();
        final AtomicLong bytesIn = new AtomicLong();
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger active = new AtomicInteger();
        private final List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

        Forward(String id, Machine machine, Lease lease, ServerSocket listener) {
            this.id = id;
            this.machine = machine;
            this.lease = lease;
            this.listener = listener;
        }

        abstract Info info();

        /** Relays one accepted connection until both directions end. */
        abstract void connect(Socket s) throws IOException, InterruptedException;

        void start() {
            Daemons.start("ssh-fleet-" + id + "-accept", () -> {
                while (!listener.isClosed()) {
                    try {
                        Socket s = listener.accept();
                        connections.incrementAndGet();
                        Daemons.start("ssh-fleet-" + id + "-conn", () -> serve(s));
                    } catch (IOException e) {
                        if (!listener.isClosed()) {
                            log.warn("{}: accept failed: {}", id, e.toString());
                        }
                    }
                }
            });
        }

        private void serve(Socket s) {
            sockets.add(s);
            active.incrementAndGet();
            try {
                connect(s);
            } catch (IOException | RuntimeException e) {
                log.info("{}: connection failed: {}", id, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                Pipes.closeQuietly(s);
                sockets.remove(s);
                active.decrementAndGet();
            }
        }

        @Override
        public void close() {
            Pipes.closeQuietly(listener);
            sockets.forEach(Pipes::closeQuietly);
            lease.close();
        }
    }

    /** Listens on {@code bind:localPort} here; each connection goes to {@code remoteHost:remotePort} as seen by the host. */
    public Info startLocal(Machine m, String bind, int localPort, String remoteHost, int remotePort) {
        Lease lease = pool.acquireSession(m, pool.sessionDeadline());
        ServerSocket server;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(bind, localPort));
        } catch (IOException e) {
            lease.close();
            throw new FleetException(
                    Kind.CONFLICT,
                    "cannot listen on " + bind + ":" + localPort + " here: " + e.getMessage()
                            + ". Pick another local_port (0 picks a free one).",
                    e);
        }
        String id = "fwd-" + ids.incrementAndGet();
        LocalForward f = new LocalForward(id, m, lease, server, new SshdSocketAddress(remoteHost, remotePort));
        forwards.put(id, f);
        f.start();
        return f.info();
    }

    /**
     * sshd on the host listens on {@code remoteHost:remotePort}; connections come to {@code localHost:localPort} here.
     * MINA hands each one to a small counting relay of ours on loopback, which connects on to the real target, so
     * remote forwards report bytes too.
     */
    public Info startRemote(Machine m, String remoteHost, int remotePort, String localHost, int localPort) {
        Lease lease = pool.acquireSession(m, pool.sessionDeadline());
        ServerSocket relay;
        try {
            relay = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            lease.close();
            throw new FleetException(Kind.IO, "cannot open a local relay port: " + e.getMessage(), e);
        }
        SshdSocketAddress target = new SshdSocketAddress("127.0.0.1", relay.getLocalPort());
        pool.allowForwardTarget(target);
        SshdSocketAddress bound;
        try {
            bound = lease.session().startRemotePortForwarding(new SshdSocketAddress(remoteHost, remotePort), target);
        } catch (IOException | RuntimeException e) {
            pool.revokeForwardTarget(target);
            Pipes.closeQuietly(relay);
            lease.close();
            throw new FleetException(
                    Kind.IO,
                    "the host refused to listen on " + remoteHost + ":" + remotePort + " ("
                            + e.getMessage()
                            + "). Its sshd may forbid it (AllowTcpForwarding, GatewayPorts) or the port is "
                            + "taken.",
                    e);
        }
        String id = "fwd-" + ids.incrementAndGet();
        RemoteForward f =
                new RemoteForward(id, m, lease, bound, target, relay, new SshdSocketAddress(localHost, localPort));
        forwards.put(id, f);
        f.start();
        return f.info();
    }

    public List<Info> list() {
        List<Info> l = new ArrayList<>();
        forwards.values().forEach(f -> l.add(f.info()));
        l.sort((a, b) -> a.started().compareTo(b.started()));
        return l;
    }

    public Info stop(String id) {
        Forward f = forwards.remove(id);
        if (f == null) {
            throw new FleetException(
                    Kind.NOT_FOUND,
                    "no forward '" + id + "'. Active: "
                            + (forwards.isEmpty()
                                    ? "none"
                                    : String.join(
                                            ", ",
                                            forwards.keySet().stream().sorted().toList()))
                            + ".");
        }
        Info last = f.info();
        f.close();
        return last;
    }

    @Override
    public void close() {
        forwards.values().forEach(Forward::close);
        forwards.clear();
    }

    /** Connections here go out through a direct-tcpip channel to the target as the machine sees it. */
    private final class LocalForward extends Forward {
        private final SshdSocketAddress target;

        LocalForward(String id, Machine m, Lease lease, ServerSocket server, SshdSocketAddress target) {
            super(id, m, lease, server);
            this.target = target;
        }

        @Override
        void connect(Socket s) throws IOException, InterruptedException {
            ClientSession session = lease.session();
            ChannelDirectTcpip ch = session.createDirectTcpipChannel(
                    new SshdSocketAddress(s.getInetAddress().getHostAddress(), s.getPort()), target);
            try {
                ch.open().verify(connectTimeout.toMillis());
                Pipes.relay(
                        s,
                        ch.getInvertedOut(),
                        ch.getInvertedIn(),
                        () -> Pipes.closeQuietly(ch.getInvertedIn()),
                        bytesOut,
                        bytesIn,
                        "ssh-fleet-" + id);
            } finally {
                ch.close(false);
            }
        }

        @Override
        Info info() {
            return new Info(
                    id,
                    machine.name(),
                    "local",
                    listener.getInetAddress().getHostAddress() + ":" + listener.getLocalPort(),
                    target.getHostName() + ":" + target.getPort() + " (from " + machine.name() + ")",
                    bytesOut.get(),
                    bytesIn.get(),
                    connections.get(),
                    active.get(),
                    started,
                    true);
        }
    }

    /** Connections the host's sshd forwards arrive at our loopback relay and go on to the target here. */
    private final class RemoteForward extends Forward {
        private final SshdSocketAddress bound;
        private final SshdSocketAddress relayAddress;
        private final SshdSocketAddress target;

        RemoteForward(
                String id,
                Machine m,
                Lease lease,
                SshdSocketAddress bound,
                SshdSocketAddress relayAddress,
                ServerSocket relay,
                SshdSocketAddress target) {
            super(id, m, lease, relay);
            this.bound = bound;
            this.relayAddress = relayAddress;
            this.target = target;
        }

        @Override
        void connect(Socket fromHost) throws IOException, InterruptedException {
            try (Socket t = new Socket(target.getHostName(), target.getPort())) {
                // out = back to the host, in = from the host
                Pipes.relay(
                        fromHost,
                        Pipes.in(t),
                        Pipes.out(t),
                        () -> Pipes.shutdownOutput(t),
                        bytesIn,
                        bytesOut,
                        "ssh-fleet-" + id);
            }
        }

        @Override
        Info info() {
            return new Info(
                    id,
                    machine.name(),
                    "remote",
                    bound.getHostName() + ":" + bound.getPort() + " (on " + machine.name() + ")",
                    target.getHostName() + ":" + target.getPort() + " (here)",
                    bytesOut.get(),
                    bytesIn.get(),
                    connections.get(),
                    active.get(),
                    started,
                    true);
        }

        @Override
        public void close() {
            try {
                lease.session().stopRemotePortForwarding(bound);
            } catch (IOException | RuntimeException e) {
                log.debug("{}: stop remote forwarding: {}", id, e.toString());
            }
            pool.revokeForwardTarget(relayAddress);
            super.close();
        }
    }
}
