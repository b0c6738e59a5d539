package io.github.sshfleet.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * An in-process SSH server that behaves like a router CLI: shell only (exec is refused), prompt {@code router>},
 * {@code enable} asks {@code Password:} and turns the prompt into {@code router#}, input is echoed, long output is
 * paged with {@code --More--} until {@code terminal length 0}, unknown commands get "% Invalid input".
 */
public final class RouterServer implements AutoCloseable {

    public static final String USER = "netops";
    public static final String PASSWORD = "login-pass";
    public static final String ENABLE = "enable-secret";

    private final SshServer server;

    public RouterServer() throws IOException {
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider());
        server.setPasswordAuthenticator((u, p, s) -> USER.equals(u) && PASSWORD.equals(p));
        server.setShellFactory(channel -> new Cli());
        server.start();
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

    private static final class Cli extends StreamCommand {

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread t = new Thread(this::loop, "router-cli");
            t.setDaemon(true);
            t.start();
        }

        private void loop() {
            boolean enabled = false;
            boolean paging = true;
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                write("\r\nWelcome to the test router\r\n\r\nrouter>");
                String line;
                while ((line = r.readLine()) != null) {
                    line = line.strip();
                    write(line + "\r\n"); // echo, as a real CLI does
                    switch (line) {
                        case "enable" -> {
                            write("Password: ");
                            String pw = r.readLine();
                            if (ENABLE.equals(pw == null ? null : pw.strip())) {
                                enabled = true;
                            } else {
                                write("\r\n% Access denied\r\n");
                            }
                            write("\r\n");
                        }
                        case "terminal length 0" -> paging = false;
                        case "show version" -> write("Test IOS Software, Version 15.2\r\nuptime is 3 weeks\r\n");
                        case "show running-config" -> {
                            if (!enabled) {
                                write("% Invalid input detected at '^' marker.\r\n");
                            } else {
                                StringBuilder cfg = new StringBuilder();
                                for (int i = 1; i <= 40; i++) {
                                    cfg.append("interface Gi0/").append(i).append("\r\n");
                                }
                                if (paging) {
                                    write(cfg.substring(0, cfg.length() / 2) + " --More-- ");
                                    in.read(); // space to continue
                                    write("\r        \r" + cfg.substring(cfg.length() / 2));
                                } else {
                                    write(cfg.toString());
                                }
                            }
                        }
                        case "exit" -> {
                            exit.onExit(0);
                            return;
                        }
                        case "" -> {}
                        default -> write("% Invalid input detected at '^' marker.\r\n");
                    }
                    write(enabled ? "router#" : "router>");
                }
            } catch (IOException e) {
                // client went away
            }
            exit.onExit(0);
        }

        private void write(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
