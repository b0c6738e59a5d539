package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.Secrets;
import io.github.sshfleet.testing.ControlledSshd;
import io.github.sshfleet.testing.Eventually;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshdFleet;
import io.github.sshfleet.testing.TcpProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ProxyCommand against real sshd: the machine is reached only through a local command (a bash /dev/tcp relay, as
 * `nc %h %p` would be); killing that command mid-call is a clean connection_lost and the next call starts a new one;
 * a command that fails is a failed connect, not a hang, and says why (secrets masked); no proxy process is left once the fleet closes.
 */
@RequiresSshd
class ProxyCommandTest {

    @TempDir
    static Path dir;

    static SshdFleet sshd;
    static ControlledSshd target;
    static Path proxy;

    @BeforeAll
    static void start() throws Exception {
        sshd = SshdFleet.get();
        target = sshd.controlled("proxied-" + System.nanoTime(), List.of("127.0.6.30"));
        // Its own name in every process list, so the test can find it; bash stays the parent of both directions.
        proxy = TcpProxy.write(dir.resolve("fleet-proxy-" + System.nanoTime() + ".sh"));
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.close();
        }
    }

    static FleetServices fleet(Path home) throws Exception {
        String line = "proxied\t127.0.6.30:" + target.port() + "\t" + SshdFleet.NP_USER + ":" + sshd.npPassword
                + "\tproxy=" + proxy + " %h %p %n\n"
                + "broken\t127.0.6.31:22\t" + SshdFleet.NP_USER + ":" + sshd.npPassword
                + "\tproxy=echo no route to %h >&2; exit 1\n"
                + "leaky\t127.0.6.32:22\t" + SshdFleet.NP_USER + ":" + sshd.npPassword
                + "\tproxy=echo login as " + sshd.npPassword + " refused >&2; exit 1\n"
                // Closes its stdout first and says why a moment later, as a proxy whose upstream failed may.
                + "late\t127.0.6.33:22\t" + SshdFleet.NP_USER + ":" + sshd.npPassword
                + "\tproxy=sh -c 'exec >&-; sleep 0.5; echo upstream gone >&2; exit 1'\n";
        Path cfg = sshd.writeConfig(home.resolve("cfg"), line, "host_key_policy: strict\n");
        Path kh = home.resolve("cfg").resolve("known_hosts");
        Files.writeString(kh, Files.readString(kh) + target.knownHostsLines(sshd.hostKeyLine));
        return Fleets.open(cfg, home);
    }

    static CommandResult run(FleetServices fleet, String host, String command) {
        return fleet.runner().run(fleet.machines().one(host), command, Duration.ofSeconds(20), false, 4096);
    }

    static List<Long> proxiesNow() {
        try {
            return proxies();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static List<Long> proxies() throws Exception {
        List<Long> all = SshdFleet.processes(proxy.getFileName().toString()).stream()
                .map(l -> Long.parseLong(l.strip().split("\\s+")[0]))
                .toList();
        // A forked child (the background cat before its exec) has the same command line: count the roots only.
        return all.stream()
                .filter(pid -> ProcessHandle.of(pid)
                        .flatMap(ProcessHandle::parent)
                        .map(parent -> !all.contains(parent.pid()))
                        .orElse(true))
                .toList();
    }

    @Test
    void reachedThroughTheCommandKilledMidCallThenReconnectedAndNothingLeftAfterwards(@TempDir Path home)
            throws Exception {
        try (FleetServices fleet = fleet(home)) {
            CommandResult first = run(fleet, "proxied", "whoami");
            assertNull(first.failure(), () -> first.failure().getMessage());
            assertEquals(SshdFleet.NP_USER + "\n", first.stdout());
            List<Long> before = proxies();
            assertEquals(1, before.size(), "one proxy for the one pooled session: " + before);

            CompletableFuture<CommandResult> call =
                    CompletableFuture.supplyAsync(() -> run(fleet, "proxied", "sleep 5; echo finished"));
            Thread.sleep(1000);
            ProcessHandle p = ProcessHandle.of(before.get(0)).orElseThrow();
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            CommandResult cut = call.get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertNotNull(cut.failure(), "the transport died under the command: " + cut.stdout());
            assertEquals(
                    FleetException.Kind.CONNECTION_LOST,
                    cut.failure().kind(),
                    cut.failure().getMessage());

            CommandResult again = run(fleet, "proxied", "whoami");
            assertNull(again.failure(), () -> again.failure().getMessage());
            List<Long> after = proxies();
            assertEquals(1, after.size(), after.toString());
            assertNotEquals(before, after, "a new proxy command for the new session");

            // Before: the relay killed the exited proxy with Process.destroyForcibly, which also closes its stderr,
            // so the line saying why was lost whenever the reader had not got to it yet (1 run in 4 here, and CI).
            for (int i = 0; i < 5; i++) {
                fleet.pool().clearFailures();
                CommandResult broken = run(fleet, "broken", "true");
                assertNotNull(broken.failure(), "a proxy that exits at once is a failed connect, not a hang");
                assertTrue(
                        broken.failure().getMessage().contains("The ProxyCommand said: no route to 127.0.6.31"),
                        "try " + i + ": " + broken.failure().getMessage());
            }
            CommandResult leaky = run(fleet, "leaky", "true");
            assertTrue(
                    leaky.failure().getMessage().contains("said: login as " + Secrets.MASK + " refused"),
                    leaky.failure().getMessage());
            assertFalse(leaky.failure().getMessage().contains(sshd.npPassword), "a password a proxy echoes is masked");
        }
        Eventually.eventually(
                Duration.ofSeconds(5),
                ProxyCommandTest::proxiesNow,
                List::isEmpty,
                "no proxy process outlives the fleet");
    }

    /**
     * Before: the relay killed the command as soon as its stdout ended, so a reason written after that (CI: an
     * `exec echo ... >&2`, whose redirection closes stdout before echo writes) was never written at all.
     */
    @Test
    void aReasonWrittenAfterTheCommandsStdoutEndedStillReachesTheError(@TempDir Path home) throws Exception {
        try (FleetServices fleet = fleet(home)) {
            CommandResult late = run(fleet, "late", "true");
            assertNotNull(late.failure(), "a proxy that ends its stdout is a failed connect");
            assertTrue(
                    late.failure().getMessage().contains("The ProxyCommand said: upstream gone"),
                    late.failure().getMessage());
        }
    }

    @Test
    void tokensAreExpandedAndQuoted() {
        assertEquals(
                "nc -X connect 'web'\\''1' '2222' # 'deploy' 'web-1' 100%",
                ProxyRelay.expand("nc -X connect %h %p # %r %n 100%%", "web'1", 2222, "deploy", "web-1"));
    }
}
