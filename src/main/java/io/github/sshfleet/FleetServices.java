package io.github.sshfleet;

import io.github.sshfleet.audit.AuditLog;
import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.files.DirListing;
import io.github.sshfleet.files.Litter;
import io.github.sshfleet.files.LocalPaths;
import io.github.sshfleet.files.RemoteReader;
import io.github.sshfleet.files.RemoteWriter;
import io.github.sshfleet.files.ScriptRunner;
import io.github.sshfleet.files.Staging;
import io.github.sshfleet.files.Sync;
import io.github.sshfleet.files.Transfers;
import io.github.sshfleet.fleet.Fanout;
import io.github.sshfleet.fleet.MachineStore;
import io.github.sshfleet.forward.Forwards;
import io.github.sshfleet.jobs.BackgroundCommands;
import io.github.sshfleet.jobs.FanoutResults;
import io.github.sshfleet.policy.ReadOnlyCommands;
import io.github.sshfleet.shell.ShellSessions;
import io.github.sshfleet.ssh.CommandRunner;
import io.github.sshfleet.ssh.ConnectionPool;
import io.github.sshfleet.tmux.Tmux;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The one place services are built and wired; tools receive them and never build their own. Made once by
 * {@link #create} (Main, and the tests the same way) and closed on shutdown: shells first (they hold pool leases),
 * then background commands and forwards, the fan-out threads, the runner, then the pool.
 */
public final class FleetServices implements AutoCloseable {

    /** How long a transfer waits for one SFTP reply before calling the connection stalled. */
    public static final Duration TRANSFER_STALL = Duration.ofSeconds(60);

    private final FleetConfig config;
    private final MachineStore machines;
    private final ConnectionPool pool;
    private final CommandRunner runner;
    private final Fanout fanout;
    private final ShellSessions shells;
    private final BackgroundCommands background;
    private final FanoutResults fanoutResults = new FanoutResults();
    private final Forwards forwards;
    private final Litter litter;
    private final RemoteReader reader;
    private final RemoteWriter writer;
    private final Transfers transfers;
    private final ScriptRunner scripts;
    private final Staging staging;
    private final Tmux tmux;
    private final Sync sync;
    private final ReadOnlyCommands readOnly;
    private final DirListing dirs;
    private final AuditLog audit;
    private final io.github.sshfleet.policy.Approvals approvals;

    private FleetServices(FleetConfig config, MachineStore machines, Path home) {
        Duration connect = config.connectTimeout();
        this.config = config;
        this.machines = machines;
        this.pool = new ConnectionPool(config);
        this.runner = new CommandRunner(pool, config);
        this.fanout = new Fanout(config.maxParallelHosts());
        this.shells = new ShellSessions(pool, config, home);
        this.background = new BackgroundCommands();
        this.forwards = new Forwards(pool, connect);
        this.litter = new Litter(home.resolve(".ssh-fleet").resolve("state"), pool, connect);
        this.reader = new RemoteReader(pool, runner, connect);
        this.writer = new RemoteWriter(pool, runner, litter, connect);
        LocalPaths local =
                new LocalPaths(machines.home(), config.localRoot(), Path.of("").toAbsolutePath());
        this.transfers = new Transfers(pool, writer, litter, local, connect, TRANSFER_STALL);
        this.scripts = new ScriptRunner(pool, runner, litter, connect);
        this.staging = new Staging(pool, litter, connect);
        this.tmux = new Tmux(runner, staging);
        this.sync = new Sync(transfers, runner);
        this.readOnly = ReadOnlyCommands.with(config.readonlyCommands());
        this.dirs = new DirListing(pool, connect);
        this.approvals = new io.github.sshfleet.policy.Approvals(config.approvalGrant(), java.time.Clock.systemUTC());
        this.audit = config.auditLog()
                .map(dir -> AuditLog.in(dir, config.auditRequired(), java.time.Clock.systemUTC(), BuildInfo.version()))
                .orElse(AuditLog.off());
        machines.onInvalidated(pool::invalidate);
        pool.resolveMachinesWith(machines::jumpHost);
        pool.onConnected(litter::onConnected);
    }

    public static FleetServices create(FleetConfig config, MachineStore machines, Path home) {
        return new FleetServices(config, machines, home);
    }

    public FleetConfig config() {
        return config;
    }

    public MachineStore machines() {
        return machines;
    }

    public ConnectionPool pool() {
        return pool;
    }

    public CommandRunner runner() {
        return runner;
    }

    public Fanout fanout() {
        return fanout;
    }

    public ShellSessions shells() {
        return shells;
    }

    public BackgroundCommands background() {
        return background;
    }

    /** The full per-host results of recent fan-out calls (get_command_status with a run id and a host). */
    public FanoutResults fanoutResults() {
        return fanoutResults;
    }

    public Forwards forwards() {
        return forwards;
    }

    public Litter litter() {
        return litter;
    }

    public RemoteReader reader() {
        return reader;
    }

    public RemoteWriter writer() {
        return writer;
    }

    public Transfers transfers() {
        return transfers;
    }

    public ScriptRunner scripts() {
        return scripts;
    }

    /** Private files staged on a host for one command (tmux paste buffers, exec env files). */
    public Staging staging() {
        return staging;
    }

    public Tmux tmux() {
        return tmux;
    }

    /** What exec_readonly accepts: the built-in read-only list plus config.yaml's readonly_commands. */
    public ReadOnlyCommands readOnly() {
        return readOnly;
    }

    /** Approvals an identical call may reuse within approval_grant. */
    public io.github.sshfleet.policy.Approvals approvals() {
        return approvals;
    }

    public AuditLog audit() {
        return audit;
    }

    public DirListing dirs() {
        return dirs;
    }

    public Sync sync() {
        return sync;
    }

    @Override
    public void close() {
        shells.close();
        background.close();
        forwards.close();
        fanout.close();
        runner.close();
        pool.close();
        audit.close();
    }
}
