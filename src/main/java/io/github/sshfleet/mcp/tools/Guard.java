package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.HostSelector;
import io.github.sshfleet.fleet.HostSet;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.policy.Policy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where every tool asks the operator's policy (policy/Policy decides) before it touches a machine: after the machine
 * is chosen, before any connection. Then, for what a confirm rule names, a person is asked once per call through
 * the client (elicitation); anything but a yes is a refusal. Single-host tools get their machine through
 * {@link #one}; a fan-out decides every host up front through {@link #decide}, so a refused host is that host's own
 * result, the others run, and a fan-out asks one question for all its hosts.
 */
final class Guard {

    private Guard() {}

    /** The one machine {@code host} names, if the policy (and, where asked, a person) lets {@code action} act on it. */
    static Machine one(FleetServices fleet, Args args, Policy.Action action, Progress progress) {
        Machine m = fleet.machines().one(args.nonBlank("host"));
        check(fleet, m, action, progress);
        return m;
    }

    static void check(FleetServices fleet, Machine m, Policy.Action action, Progress progress) {
        FleetException refused = decide(fleet, List.of(m), action, progress).get(m);
        if (refused != null) {
            throw refused;
        }
    }

    /** The policy entry that applies to {@code m}, if any (list_machines shows its mode). */
    static Optional<Policy.Entry> entryOf(FleetServices fleet, Machine m) {
        return fleet.config()
                .policy()
                .entryFor(ref -> HostSelector.selects(ref, m, fleet.machines().groups()));
    }

    /** The refusal of every machine that may not be acted on (POLICY, nothing ran there); the others are absent. */
    static Map<Machine, FleetException> decide(
            FleetServices fleet, List<Machine> machines, Policy.Action action, Progress progress) {
        Policy policy = fleet.config().policy();
        Map<Machine, FleetException> refused = new LinkedHashMap<>();
        Map<Machine, String> ask = new LinkedHashMap<>();
        if (policy.entries().isEmpty()) { // the common case: one scan of the command for the whole fan-out
            policy.confirmation(ref -> false, action).ifPresent(why -> machines.forEach(m -> ask.put(m, why)));
        } else {
            for (Machine m : machines) {
                Predicate<String> selects =
                        ref -> HostSelector.selects(ref, m, fleet.machines().groups());
                Optional<FleetException> no = policy.refusal(m.name(), selects, action);
                if (no.isPresent()) {
                    refused.put(m, no.get());
                    continue;
                }
                policy.confirmation(selects, action).ifPresent(why -> ask.put(m, why));
            }
        }
        if (!ask.isEmpty()) {
            List<String> names = ask.keySet().stream().map(Machine::name).toList();
            String hosts = HostSet.fold(names) + (names.size() > 1 ? " (" + names.size() + " hosts)" : "");
            String why = ask.values().iterator().next();
            String key = io.github.sshfleet.policy.Approvals.key(action, names);
            Progress.Answer answer;
            if (fleet.approvals().granted(key)) {
                progress.granted();
                answer = Progress.Answer.GRANTED;
            } else {
                answer = progress.ask(
                        question(action, hosts, why), fleet.config().approvalTimeout());
                if (answer == Progress.Answer.APPROVED) {
                    fleet.approvals().approved(key);
                }
            }
            if (answer != Progress.Answer.APPROVED && answer != Progress.Answer.GRANTED) {
                for (Map.Entry<Machine, String> e : ask.entrySet()) {
                    refused.put(e.getKey(), notApproved(action, e.getKey(), e.getValue(), answer, fleet));
                }
            }
        }
        return refused;
    }

    private static String question(Policy.Action action, String hosts, String why) {
        String what = action.command() != null
                ? io.github.sshfleet.core.Secrets.mask(bounded(action.command()))
                : String.join(", ", action.paths());
        return "ssh-fleet asks before it runs this (" + why + "):\n\n  " + action.tool() + " on " + hosts + " as "
                + (action.root() ? "root" : "the login user") + ":\n  " + what.replace("\n", "\n  ")
                + "\n\nNothing has run yet. Approve?";
    }

    private static String bounded(String s) {
        return s.length() <= 600 ? s : s.substring(0, 600) + "\n  ... (" + s.length() + " characters in all)";
    }

    private static FleetException notApproved(
            Policy.Action action, Machine m, String why, Progress.Answer answer, FleetServices fleet) {
        String outcome = switch (answer) {
            case DECLINED -> "the person at the client declined";
            case CANCELLED -> "the question was dismissed or the call cancelled";
            case TIMED_OUT ->
                "no answer came within approval_timeout ("
                        + fleet.config().approvalTimeout().toSeconds() + " s)";
            case UNSUPPORTED ->
                "this client cannot ask a person (it did not declare the MCP elicitation " + "capability)";
            default -> "the question could not be asked";
        };
        return new FleetException(
                FleetException.Kind.POLICY,
                action.tool() + " on " + m.name() + " needs a person's approval (" + why + ") and " + outcome
                        + ", so it was refused. Nothing ran on " + m.name() + ". Have a person run it, or, if it "
                        + "should not ask, change confirm: rules or set confirm_defaults: false in config.yaml.");
    }
}
