package io.github.sshfleet.ssh;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * The local addresses hosts may connect back to through remote port forwards: exactly the relays of the forwards
 * ssh-fleet started, nothing else (MINA's filter asks this for every forwarded-tcpip channel).
 */
final class ForwardTargets {

    private final Set<String> allowed = ConcurrentHashMap.newKeySet();

    void allow(SshdSocketAddress target) {
        allowed.add(key(target));
    }

    void revoke(SshdSocketAddress target) {
        allowed.remove(key(target));
    }

    boolean allows(SshdSocketAddress target) {
        return allowed.contains(key(target));
    }

    private static String key(SshdSocketAddress a) {
        return a.getHostName().toLowerCase(Locale.ROOT) + ":" + a.getPort();
    }
}
