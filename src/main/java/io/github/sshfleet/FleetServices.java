package io.github.sshfleet;

import java.nio.file.Path;

import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.fleet.Fanout;
import io.github.sshfleet.fleet.MachineStore;
import io.github.sshfleet.forward.Forwards;
import io.github.sshfleet.jobs.BackgroundCommands;
import io.github.sshfleet.shell.ShellSessions;
import io.github.sshfleet.ssh.CommandRunner;
import io.github.sshfleet.ssh.ConnectionPool;

/**
 * What tools are built from. Made once by {@link #create} (Main, and the tests the same way) and closed on shutdown:
 * shells first (they hold pool leases), then the runner, then the pool.
 */
public record FleetServices(FleetConfig config, MachineStore machines, ConnectionPool pool, CommandRunner runner,
                            Fanout fanout, ShellSessions shells, BackgroundCommands background, Forwards forwards)
        implements AutoCloseable {

    public static FleetServices create(FleetConfig config, MachineStore machines, Path home) {
        ConnectionPool pool = new ConnectionPool(config);
        machines.onInvalidated(pool::invalidate);
        pool.resolveMachinesWith(machines::jumpHost);
        return new FleetServices(config, machines, pool, new CommandRunner(pool, config),
                new Fanout(config.maxParallelHosts()), new ShellSessions(pool, config, home),
                new BackgroundCommands(), new Forwards(pool, config.connectTimeout()));
    }

    @Override
    public void close() {
        shells.close();
        background.close();
        forwards.close();
        fanout.close();
        runner.close();
        pool.close();
    }
}
