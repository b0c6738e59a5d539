package io.github.sshfleet.testing;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.config.ConfigLoader;
import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.fleet.MachineStore;
import java.nio.file.Path;

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
        return FleetServices.create(c, store, home);
    }
}
