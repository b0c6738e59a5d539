package io.github.sshfleet;

import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.fleet.Fanout;
import io.github.sshfleet.fleet.MachineStore;
import io.github.sshfleet.ssh.CommandRunner;
import io.github.sshfleet.ssh.ConnectionPool;

/** What tools are built from. Main creates it once and closes it on shutdown (runner first, then the pool). */
public record FleetServices(FleetConfig config, MachineStore machines, ConnectionPool pool, CommandRunner runner,
                            Fanout fanout)
        implements AutoCloseable {

    @Override
    public void close() {
        fanout.close();
        runner.close();
        pool.close();
    }
}
