package io.github.sshfleet.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.testing.TestClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** approval_grant on a clock the test moves: a yes covers only identical calls, and only for the grant. */
class ApprovalsTest {

    final TestClock clock = new TestClock("2026-12-02T10:00:00Z");
    final Policy.Action reboot = Policy.Action.command("sudo_exec", "reboot").asRoot(true);

    @Test
    void theDefaultAsksEveryTime() {
        Approvals none = new Approvals(Duration.ZERO, clock);
        String key = Approvals.key(reboot, List.of("web-1"));
        none.approved(key);
        assertFalse(none.granted(key));
    }

    @Test
    void aYesCoversIdenticalCallsUntilTheGrantRunsOut() {
        Approvals a = new Approvals(Duration.ofMinutes(10), clock);
        String key = Approvals.key(reboot, List.of("web-2", "web-1"));
        a.approved(key);
        assertTrue(a.granted(Approvals.key(reboot, List.of("web-1", "web-2"))), "the host order does not matter");
        assertFalse(a.granted(Approvals.key(reboot, List.of("web-1"))), "another set of machines asks again");
        assertFalse(a.granted(Approvals.key(reboot.asRoot(false), List.of("web-1", "web-2"))), "another user asks");
        assertFalse(a.granted(Approvals.key(Policy.Action.command("sudo_exec", "reboot -f"), List.of("web-1"))));
        clock.advance(Duration.ofMinutes(9));
        assertTrue(a.granted(key));
        clock.advance(Duration.ofMinutes(1));
        assertFalse(a.granted(key), "expired at exactly the grant");
        assertNotEquals(
                Approvals.key(Policy.Action.write("write_file", List.of("/etc/a")), List.of("m")),
                Approvals.key(Policy.Action.write("write_file", List.of("/etc/b")), List.of("m")));
    }

    @Test
    void atMostAThousandApprovalsAreKeptOldestFirstOut() {
        Approvals a = new Approvals(Duration.ofHours(1), clock);
        for (int i = 0; i <= Approvals.MAX; i++) {
            a.approved(Approvals.key(Policy.Action.command("exec", "rm -r /tmp/" + i), List.of("m")));
        }
        assertFalse(a.granted(Approvals.key(Policy.Action.command("exec", "rm -r /tmp/0"), List.of("m"))));
        assertTrue(a.granted(Approvals.key(Policy.Action.command("exec", "rm -r /tmp/1000"), List.of("m"))));
    }
}
