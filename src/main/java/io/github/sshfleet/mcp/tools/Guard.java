package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.HostSelector;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.policy.Policy;
import java.util.Optional;

/**
 * Where every tool asks the operator's policy (policy/Policy decides) before it touches a machine: after the machine
 * is chosen, before any connection. Single-host tools get their machine through {@link #one}; a fan-out asks per
 * host through {@link #refusal}, so a refused host is that host's own result and the others run.
 */
final class Guard {

    private Guard() {}

    /** The one machine {@code host} names, if the policy lets {@code action} act on it; else POLICY, nothing ran. */
    static Machine one(FleetServices fleet, Args args, Policy.Action action) {
        Machine m = fleet.machines().one(args.nonBlank("host"));
        check(fleet, m, action);
        return m;
    }

    static void check(FleetServices fleet, Machine m, Policy.Action action) {
        Optional<FleetException> refused = refusal(fleet, m, action);
        if (refused.isPresent()) {
            throw refused.get();
        }
    }

    static Optional<FleetException> refusal(FleetServices fleet, Machine m, Policy.Action action) {
        Policy policy = fleet.config().policy();
        if (policy.entries().isEmpty()) {
            return Optional.empty(); // the common case costs one list check
        }
        return policy.refusal(
                m.name(), ref -> HostSelector.selects(ref, m, fleet.machines().groups()), action);
    }
}
