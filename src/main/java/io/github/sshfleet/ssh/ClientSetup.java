package io.github.sshfleet.ssh;

import io.github.sshfleet.core.Daemons;
import io.github.sshfleet.core.Deadline;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSH client, built on a background thread: MINA and BouncyCastle set-up takes a good part of a second of CPU,
 * and the MCP handshake (initialize, tools/list) needs neither. Main starts it once the handshake is over (so the two
 * do not share the CPU); the first connect starts it in case nothing did, and waits for it at most until its
 * deadline.
 */
final class ClientSetup {

    private static final Logger log = LoggerFactory.getLogger(ClientSetup.class);

    private final CompletableFuture<Connector> connector = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final Supplier<Connector> build;
    private final java.util.function.BooleanSupplier idle;
    private final java.util.function.Consumer<org.apache.sshd.client.SshClient> rehearse;

    /**
     * {@code idle}: whether no call has asked for a session yet; {@code rehearse}: what runs after the warm-up while it
     * is ({@link ConnectRehearsal}, which would only take CPU from a call already waiting).
     */
    ClientSetup(
            Supplier<Connector> build,
            java.util.function.BooleanSupplier idle,
            java.util.function.Consumer<org.apache.sshd.client.SshClient> rehearse) {
        this.build = build;
        this.idle = idle;
        this.rehearse = rehearse;
    }

    /** Starts building in the background; later calls do nothing. */
    void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        Daemons.start("ssh-fleet-client-setup", () -> {
            Connector built;
            try {
                built = build.get();
            } catch (Throwable e) {
                connector.completeExceptionally(e);
                return;
            }
            connector.complete(built);
            ConnectWarmup.run(built.client());
            if (idle.getAsBoolean()) {
                rehearse.accept(built.client());
            }
        });
    }

    /** The connector, waiting for its set-up at most until the deadline. */
    Connector get(Deadline deadline) throws IOException, InterruptedException {
        start();
        try {
            return connector.get(deadline.waitMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the SSH client was still being set up when the connect deadline passed");
        } catch (ExecutionException e) {
            throw new IOException("setting up the SSH client failed: " + e.getCause(), e.getCause());
        }
    }

    /** Stops the client if it was ever started. */
    void stop() {
        try {
            if (started.get()) {
                connector.join().client().stop();
            }
        } catch (RuntimeException e) {
            log.debug("client stop", e);
        }
    }
}
