package io.github.sshfleet.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * An in-process MINA SSH server on 127.0.0.1 for fault injection, scripted by keywords in the command text (the
 * client wraps commands in a login-shell line, so matching is by "contains"):
 * <ul>
 * <li>{@code hang}: prints "started", then never exits (until signalled)</li>
 * <li>{@code ignore-signals}: like hang, but ignores signals too (only closing the channel ends it)</li>
 * <li>{@code drop}: prints "partial", then drops the whole connection</li>
 * <li>{@code flood-N}: writes N megabytes to stdout and exits 0</li>
 * <li>{@code channel-age}: prints "age=MS", how long ago the channel it runs on was opened</li>
 * <li>anything else: prints "ok" and exits 0</li>
 * </ul>
 * {@link #refuseSessionChannels(int)} makes it refuse new session channels, as an sshd at its MaxSessions does.
 * Password auth: user {@link #USER}, password {@link #PASSWORD}. {@link #restart()} keeps the port and host key;
 * {@link #restartWithNewHostKey()} keeps the port and changes the key.
 */
public final class FaultServer implements AutoCloseable {

    public static final String USER = "fault";
    public static final String PASSWORD = "fault-pass";
    /** Logging in as this user drops the connection during authentication. */
    public static final String DROP_LOGIN_USER = "drop-login";

    private SshServer server;
    private KeyPairProvider hostKeys = new SimpleGeneratorHostKeyProvider();
    private int port;
    /** Session channel opens still to refuse; negative: refuse all. */
    private final java.util.concurrent.atomic.AtomicInteger toRefuse = new java.util.concurrent.atomic.AtomicInteger();

    private final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();

    /** When the server confirmed a channel open, and whether a command was started on it. */
    private static final org.apache.sshd.common.AttributeRepository.AttributeKey<Long> OPENED_AT =
            new org.apache.sshd.common.AttributeRepository.AttributeKey<>();

    private static final org.apache.sshd.common.AttributeRepository.AttributeKey<Boolean> STARTED =
            new org.apache.sshd.common.AttributeRepository.AttributeKey<>();

    public FaultServer() throws IOException {
        start(0);
    }

    public int port() {
        return port;
    }

    /** A hosts-file line for a machine called {@code name} on this server, logging in as {@link #USER}. */
    public String hostsLine(String name) {
        return name + "\t127.0.0.1:" + port + "\t" + USER + ":" + PASSWORD + "\n";
    }

    public void restart() throws IOException {
        server.stop(true);
        start(port);
    }

    public void restartWithNewHostKey() throws IOException {
        server.stop(true);
        hostKeys = new SimpleGeneratorHostKeyProvider();
        start(port);
    }

    /** Refuses the next {@code n} session channel opens (a negative n: every one until called again with 0). */
    public void refuseSessionChannels(int n) {
        toRefuse.set(n);
    }

    /** How many session channel opens were refused so far. */
    public int refusedSessionChannels() {
        return refused.get();
    }

    /** How many connections the server has open. */
    public int activeSessions() {
        return server.getActiveSessions().size();
    }

    /** Open channels no command was started on (a client's spare, for one). */
    public int idleChannels() {
        return open(false).size();
    }

    /** Channels still open on the server with a command started on them. */
    public int commandChannels() {
        return open(true).size();
    }

    /** Closes every channel no command was started on, as a server dropping idle channels would. */
    public int closeIdleChannels() {
        List<org.apache.sshd.common.channel.Channel> idle = open(false);
        idle.forEach(c -> c.close(false));
        return idle.size();
    }

    /** The open channels with a command started on them ({@code started}) or without one. */
    private List<org.apache.sshd.common.channel.Channel> open(boolean started) {
        List<org.apache.sshd.common.channel.Channel> found = new java.util.ArrayList<>();
        for (org.apache.sshd.common.session.helpers.AbstractSession s : server.getActiveSessions()) {
            var service = (org.apache.sshd.common.session.helpers.AbstractConnectionService)
                    s.getService(org.apache.sshd.common.session.ConnectionService.class);
            for (org.apache.sshd.common.channel.Channel c : List.copyOf(service.getChannels())) {
                if ((c.getAttribute(STARTED) != null) == started && c.isOpen()) {
                    found.add(c);
                }
            }
        }
        return found;
    }

    private void start(int onPort) throws IOException {
        server = SshServer.setUpDefaultServer();
        server.addChannelListener(new org.apache.sshd.common.channel.ChannelListener() {
            @Override
            public void channelOpenSuccess(org.apache.sshd.common.channel.Channel channel) {
                channel.setAttribute(OPENED_AT, System.nanoTime());
            }
        });
        server.setHost("127.0.0.1");
        server.setPort(onPort);
        server.setKeyPairProvider(hostKeys);
        server.setPasswordAuthenticator((user, password, session) -> {
            if (DROP_LOGIN_USER.equals(user)) {
                session.close(true); // the connection dies in the middle of the login
                return false;
            }
            return USER.equals(user) && PASSWORD.equals(password);
        });
        server.setCommandFactory((channel, command) -> new Scripted(command));
        var factories =
                new java.util.ArrayList<org.apache.sshd.common.channel.ChannelFactory>(server.getChannelFactories());
        factories.removeIf(
                f -> f.getName().equals(org.apache.sshd.server.channel.ChannelSessionFactory.INSTANCE.getName()));
        factories.add(new org.apache.sshd.common.channel.ChannelFactory() {
            @Override
            public String getName() {
                return org.apache.sshd.server.channel.ChannelSessionFactory.INSTANCE.getName();
            }

            @Override
            public org.apache.sshd.common.channel.Channel createChannel(org.apache.sshd.common.session.Session s)
                    throws IOException {
                // No channel: MINA answers the open with a failure, which is what sshd sends at MaxSessions.
                if (toRefuse.getAndUpdate(n -> n > 0 ? n - 1 : n) != 0) {
                    refused.incrementAndGet();
                    return null;
                }
                return org.apache.sshd.server.channel.ChannelSessionFactory.INSTANCE.createChannel(s);
            }
        });
        server.setChannelFactories(factories);
        server.start();
        port = server.getPort();
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

    private static final class Scripted extends StreamCommand {
        private final String command;
        private volatile Thread worker;

        Scripted(String command) {
            this.command = command;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            channel.setAttribute(STARTED, true);
            if (command.contains("hang") && !command.contains("ignore-signals")) {
                env.addSignalListener((ch, signal) -> exit.onExit(143));
            }
            worker = new Thread(
                    () -> {
                        try {
                            script(channel);
                        } catch (IOException | InterruptedException e) {
                            // channel closed under us: that is the point of several scripts
                        }
                    },
                    "fault-command");
            worker.setDaemon(true);
            worker.start();
        }

        private void script(ChannelSession channel) throws IOException, InterruptedException {
            if (command.contains("hang") || command.contains("ignore-signals")) {
                write("started\n");
                Thread.sleep(Long.MAX_VALUE);
            } else if (command.contains("drop")) {
                write("partial\n");
                Thread.sleep(200);
                channel.getSession().close(true);
            } else if (command.contains("flood-")) {
                String n = command.replaceAll("(?s).*flood-(\\d+).*", "$1");
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) 'x');
                long total = Long.parseLong(n) * 1024 * 1024;
                for (long sent = 0; sent < total; sent += chunk.length) {
                    out.write(chunk);
                }
                out.flush();
                exit.onExit(0);
            } else if (command.contains("channel-age")) {
                Long opened = channel.getAttribute(OPENED_AT);
                write("age=" + (opened == null ? -1 : (System.nanoTime() - opened) / 1_000_000) + "\n");
                exit.onExit(0);
            } else {
                write("ok\n");
                exit.onExit(0);
            }
        }

        private void write(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void destroy(ChannelSession channel) {
            Thread w = worker;
            if (w != null) {
                w.interrupt();
            }
        }
    }
}
