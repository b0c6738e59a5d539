package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.testing.ControlledSshd;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RequiresSshd;
import io.github.sshfleet.testing.SshKeygen;
import io.github.sshfleet.testing.SshdFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host certificates against real sshd (HostCertificate in sshd_config, CAs made by ssh-keygen): a host whose key a
 * trusted CA signed is reached with only the CA line in known_hosts and nothing is pinned; a certificate for another
 * name, an expired one, one from another CA and one from a revoked CA are refused with the reason, and not pinned
 * under accept-new either. A host with a certificate but no CA line for it keeps working with its pinned bare key.
 */
@RequiresSshd
class HostCertificateTest {

    @TempDir
    static Path dir;

    static SshdFleet sshd;
    static final List<ControlledSshd> daemons = new ArrayList<>();
    static final Map<String, ControlledSshd> hosts = new LinkedHashMap<>();
    static String caLine;
    static String revokedCaLine;

    @BeforeAll
    static void start() throws Exception {
        sshd = SshdFleet.get();
        caLine = ca("ca");
        ca("other-ca");
        revokedCaLine = ca("revoked-ca");
        host("good", "127.0.6.1", "ca", "127.0.6.1", "-5m:+1h");
        host("misnamed", "127.0.6.2", "ca", "db.example.org", "-5m:+1h");
        host("expired", "127.0.6.3", "ca", "127.0.6.3", "20200101:20200102");
        host("foreign", "127.0.6.4", "other-ca", "127.0.6.4", "-5m:+1h");
        host("revoked", "127.0.6.5", "revoked-ca", "127.0.6.5", "-5m:+1h");
        host("uncovered", "127.0.6.9", "ca", "127.0.6.9", "-5m:+1h");
    }

    @AfterAll
    static void stop() {
        daemons.forEach(ControlledSshd::close);
    }

    static String ca(String name) throws Exception {
        return SshKeygen.key(dir, name);
    }

    /** An sshd on {@code ip} presenting the fleet host key signed by {@code ca} for {@code principal}. */
    static void host(String name, String ip, String ca, String principal, String validity) throws Exception {
        Path pub = dir.resolve(name + ".pub");
        Files.copy(sshd.dir.resolve("host_ed25519.pub"), pub);
        SshKeygen.run(
                "-q",
                "-s",
                dir.resolve(ca).toString(),
                "-I",
                name,
                "-h",
                "-n",
                principal,
                "-V",
                validity,
                "-z",
                "7",
                pub.toString());
        ControlledSshd d = sshd.controlled(
                "cert-" + name + "-" + System.nanoTime(),
                List.of(ip),
                List.of("HostCertificate " + dir.resolve(name + "-cert.pub")));
        daemons.add(d);
        hosts.put(name, d);
    }

    static String pattern(String name) {
        ControlledSshd d = hosts.get(name);
        return "[" + d.ips().get(0) + "]:" + d.port();
    }

    /**
     * A fleet of the named hosts whose known_hosts is the fleet's plain keys plus {@code knownHosts}; the hosts file
     * also has "via-jump", the good host reached through fleet-1.
     */
    static FleetServices fleet(Path home, String policy, String knownHosts) throws Exception {
        return fleet(home, policy, knownHosts, "");
    }

    static FleetServices fleet(Path home, String policy, String knownHosts, String extraYaml) throws Exception {
        StringBuilder lines = new StringBuilder(sshd.standardHosts());
        hosts.forEach((name, d) -> lines.append(line(name, d, "")));
        lines.append(line("via-jump", hosts.get("good"), "\tjump=fleet-1"));
        Path cfg = sshd.writeConfig(
                home.resolve("cfg"), lines.toString(), "host_key_policy: " + policy + "\n" + extraYaml);
        Path kh = home.resolve("cfg").resolve("known_hosts");
        Files.writeString(kh, Files.readString(kh) + knownHosts);
        return Fleets.open(cfg, home);
    }

    /** A hosts-file line for {@code name} on daemon {@code d}'s first address, as the NOPASSWD user. */
    static String line(String name, ControlledSshd d, String options) {
        return name + "\t" + d.ips().get(0) + ":" + d.port() + "\t" + SshdFleet.NP_USER + ":" + sshd.npPassword
                + options + "\n";
    }

    static String cas() {
        List<String> covered = new ArrayList<>();
        for (String name : List.of("good", "misnamed", "expired", "foreign", "revoked")) {
            covered.add(pattern(name));
        }
        String patterns = String.join(",", covered);
        return "@cert-authority " + patterns + " " + caLine + "\n"
                + "@cert-authority " + patterns + " " + revokedCaLine + "\n"
                + "@revoked * " + revokedCaLine + "\n"
                + pattern("uncovered") + " " + sshd.hostKeyLine + "\n";
    }

    static CommandResult run(FleetServices fleet, String host) {
        return fleet.runner().run(fleet.machines().one(host), "whoami", Duration.ofSeconds(20), false, 4096);
    }

    static String refusal(FleetServices fleet, String host) {
        CommandResult r = run(fleet, host);
        assertNotNull(r.failure(), host + " must be refused, ran: " + r.stdout());
        assertEquals(
                FleetException.Kind.HOST_KEY, r.failure().kind(), r.failure().getMessage());
        return r.failure().getMessage();
    }

    @Test
    void strictWithOnlyTheCaLineConnectsAndEveryBadCertificateIsRefusedWithItsReason(@TempDir Path home)
            throws Exception {
        try (FleetServices fleet = fleet(home, "strict", cas())) {
            CommandResult ok = run(fleet, "good");
            assertNull(ok.failure(), () -> ok.failure().getMessage());
            assertEquals(SshdFleet.NP_USER + "\n", ok.stdout());
            CommandResult jumped = run(fleet, "via-jump");
            assertNull(
                    jumped.failure(),
                    () -> "through the relay the principal is still the target's: "
                            + jumped.failure().getMessage());
            String misnamed = refusal(fleet, "misnamed");
            assertTrue(misnamed.contains("names db.example.org, not 127.0.6.2"), misnamed);
            String expired = refusal(fleet, "expired");
            assertTrue(expired.contains("valid from 2020-01-01") && expired.contains("now is"), expired);
            String foreign = refusal(fleet, "foreign");
            assertTrue(foreign.contains("not an @cert-authority for " + pattern("foreign")), foreign);
            String revoked = refusal(fleet, "revoked");
            assertTrue(revoked.contains("is marked @revoked"), revoked);
            assertTrue(misnamed.contains("certificate 'misnamed' (serial 7"), misnamed);
        }
    }

    @Test
    void acceptNewPinsNoKeyForACertifiedHostAndNoneForARefusedCertificate(@TempDir Path home) throws Exception {
        try (FleetServices fleet = fleet(home, "accept-new", cas())) {
            Path kh = fleet.config().knownHosts();
            String before = Files.readString(kh);
            assertNull(run(fleet, "good").failure());
            for (String bad : List.of("misnamed", "expired", "foreign", "revoked")) {
                refusal(fleet, bad);
            }
            assertEquals(before, Files.readString(kh), "the CA vouches; nothing is pinned, refused or not");
        }
    }

    @Test
    void aHostWithACertificateButNoCaLineKeepsItsPinnedBareKey(@TempDir Path home) throws Exception {
        // Before: the certificate host-key algorithms were offered to every host, the server sent its certificate,
        // and the pinned bare key did not match it: HOST KEY CHANGED.
        try (FleetServices fleet = fleet(home, "strict", cas())) {
            CommandResult r = run(fleet, "uncovered");
            assertNull(r.failure(), () -> r.failure().getMessage());
        }
    }

    /**
     * revoked_host_keys as ssh's RevokedHostKeys: a KRL (written by ssh-keygen -k) that revokes the certificate's
     * serial refuses the certified host and no other; one that lists the host key refuses every host presenting it,
     * certified or not, also under host_key_policy off; the file is read again when it changes, and once it is gone no
     * host key is accepted.
     */
    @Test
    void revokedHostKeysRefusesByCertificateSerialAndByKeyAndIsReadAgainWhenItChanges(@TempDir Path home)
            throws Exception {
        Path krl = home.resolve("revoked.krl");
        Files.writeString(home.resolve("serial.spec"), "serial: 7\n");
        Files.writeString(home.resolve("key.spec"), "key: " + sshd.hostKeyLine + "\n");
        Files.writeString(home.resolve("empty.spec"), "");
        krl(
                krl,
                "-s",
                dir.resolve("ca.pub").toString(),
                home.resolve("serial.spec").toString());
        try (FleetServices fleet = fleet(home, "strict", cas(), "revoked_host_keys: " + krl + "\n")) {
            String good = refusal(fleet, "good");
            assertTrue(good.startsWith("HOST KEY REVOKED for good (" + pattern("good") + ")"), good);
            assertTrue(good.contains("its serial 7 is revoked in " + krl), good);
            assertNull(run(fleet, "uncovered").failure(), "its bare key is not revoked");
            assertNull(run(fleet, "fleet-1").failure());

            krl(krl, home.resolve("key.spec").toString());
            fresh(fleet);
            for (String host : List.of("uncovered", "fleet-1", "good")) {
                String r = refusal(fleet, host);
                assertTrue(r.contains("its key is revoked (listed) in " + krl), r);
            }

            krl(krl, home.resolve("empty.spec").toString());
            fresh(fleet);
            for (String host : List.of("uncovered", "fleet-1", "good")) {
                CommandResult r = run(fleet, host);
                assertNull(
                        r.failure(),
                        () -> host + " after the KRL emptied: " + r.failure().getMessage());
            }

            Files.delete(krl);
            fresh(fleet);
            String gone = refusal(fleet, "fleet-1");
            assertTrue(gone.contains("revoked_host_keys " + krl + " cannot be read"), gone);
        }
        krl(krl, home.resolve("key.spec").toString());
        try (FleetServices off = fleet(home.resolve("off"), "off", "", "revoked_host_keys: " + krl + "\n")) {
            String r = refusal(off, "fleet-1");
            assertTrue(r.contains("its key is revoked (listed)"), "off trusts any key but a revoked one: " + r);
        }
    }

    static void krl(Path krl, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-k", "-f", krl.toString()));
        all.addAll(List.of(args));
        SshKeygen.run(all.toArray(String[]::new));
    }

    /** Drops the pooled sessions and remembered failures, so the next call connects and the key is judged again. */
    static void fresh(FleetServices fleet) {
        for (String host : List.of("good", "uncovered", "fleet-1")) {
            fleet.pool().invalidate(fleet.machines().one(host).connectionKey());
        }
        fleet.pool().clearFailures();
    }
}
