package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.testing.Fleets;
import io.github.sshfleet.testing.RouterServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** device=network: commands through a router-like CLI (in-process MINA server), with enable mode and paging. */
class NetworkDeviceTest {

    static RouterServer router;
    static FleetServices fleet;

    @TempDir
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        router = new RouterServer();
        String line = "127.0.0.1:" + router.port() + "\t" + RouterServer.USER + ":" + RouterServer.PASSWORD;
        Path hosts = Files.writeString(
                home.resolve("hosts.tsv"),
                "rtr\t" + line + "\tdevice=network\tenable="
                        + RouterServer.ENABLE + "\n" + "rtr-user\t" + line + "\tdevice=network\n"
                        + "rtr-badenable\t" + line + "\tdevice=network\tenable=wrong\n");
        Files.setPosixFilePermissions(hosts, PosixFilePermissions.fromString("rw-------"));
        Path cfg = Files.writeString(
                home.resolve("config.yaml"),
                "auth_file: " + hosts + "\nknown_hosts: " + home.resolve("known_hosts") + "\n");
        fleet = Fleets.open(cfg, home);
    }

    @AfterAll
    static void stop() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
        router.close();
    }

    static CommandResult run(String host, String command) {
        return fleet.runner().run(fleet.machines().one(host), command, Duration.ofSeconds(20), false, 64 * 1024);
    }

    @Test
    void commandsRunThroughTheCliWithoutEchoOrPrompt() {
        CommandResult r = run("rtr-user", "show version");
        assertNull(r.failure(), () -> r.failure().getMessage());
        assertEquals(0, r.exitCode());
        assertEquals("Test IOS Software, Version 15.2\nuptime is 3 weeks\n", r.stdout());
    }

    @Test
    void enableModeAndPaging() {
        CommandResult plain = run("rtr-user", "show running-config");
        assertEquals(1, plain.exitCode(), "without enable the CLI refuses: " + plain.stdout());
        CommandResult r = run("rtr", "show running-config");
        assertEquals(0, r.exitCode(), r.stdout());
        assertTrue(r.stdout().startsWith("interface Gi0/1\n") && r.stdout().contains("interface Gi0/40"), r.stdout());
        assertFalse(r.stdout().contains("More"));
        CommandResult bad = run("rtr-badenable", "show version");
        assertEquals(FleetException.Kind.SUDO, bad.failure().kind());
        assertTrue(bad.failure().getMessage().contains("enable"), bad.failure().getMessage());
    }

    @Test
    void sudoAndBackgroundAreRefusedClearly() {
        CommandResult sudo =
                fleet.runner().run(fleet.machines().one("rtr"), "show version", Duration.ofSeconds(5), true, 1024);
        assertTrue(
                sudo.failure().getMessage().contains("no sudo"), sudo.failure().getMessage());
        FleetException bg = org.junit.jupiter.api.Assertions.assertThrows(
                FleetException.class,
                () -> fleet.runner().start(fleet.machines().one("rtr"), "show version", null, false, 1024));
        assertTrue(bg.getMessage().contains("use exec"), bg.getMessage());
    }
}
