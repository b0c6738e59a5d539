package io.github.sshfleet.testing;

import java.nio.file.Path;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.config.ConfigLoader;
import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.fleet.Fanout;
import io.github.sshfleet.fleet.MachineStore;
import io.github.sshfleet.ssh.CommandRunner;
import io.github.sshfleet.ssh.ConnectionPool;

/** Wires FleetServices the way Main does, from a config file, for component tests. */
public final class Fleets {

    private Fleets() {}

    public static FleetServices open(Path config, Path home) {
        ConfigLoader.Loaded loaded = ConfigLoader.load(config, true, home);
        if (loaded.hasErrors()) {
            throw new IllegalStateException("test config has errors: " + loaded.problems());
        }
        FleetConfig c = loaded.config();
        MachineStore store = new MachineStore(c, home);
        store.loadHostsFile();
        ConnectionPool pool = new ConnectionPool(c);
        store.onInvalidated(pool::invalidate);
        return new FleetServices(c, store, pool, new CommandRunner(pool, c), new Fanout(c.maxParallelHosts()));
    }
}
