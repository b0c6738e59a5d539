package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.policy.Policy;
import io.github.sshfleet.tmux.Tmux;
import java.time.Duration;

/** What the seven tmux tools share: the Tmux service, and the host / sudo / timeout arguments. */
final class TmuxArgs {

    private TmuxArgs() {}

    static Tmux tmux(FleetServices fleet) {
        return fleet.tmux();
    }

    /** host, then the tool's own arguments are added by the caller, then sudo and timeout. */
    static Schema hostSchema() {
        return Schema.object().string("host", null, true);
    }

    static Schema common(Schema s, int defaultTimeout) {
        return s.bool("sudo", null, true).integer("timeout", null, defaultTimeout);
    }

    /** The tool's machine, once the policy lets {@code action} act on it. */
    static Machine machine(FleetServices fleet, Args args, Progress progress, Policy.Action action) {
        return Guard.one(fleet, args, action.asRoot(sudo(args)), progress);
    }

    static boolean sudo(Args args) {
        return args.bool("sudo", true);
    }

    static Duration timeout(Args args, int fallback) {
        return args.seconds("timeout", Duration.ofSeconds(fallback), 600);
    }
}
