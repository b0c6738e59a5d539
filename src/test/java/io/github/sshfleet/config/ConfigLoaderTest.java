package io.github.sshfleet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path home;

    @Test
    void noConfigMeansDefaultsAndNoErrors() {
        ConfigLoader.Loaded l = ConfigLoader.load(Map.of(), home);
        assertTrue(l.config().source().isEmpty());
        assertEquals(home.resolve(".ssh-fleet/hosts.tsv"), l.config().authFile());
        assertEquals(HostKeyPolicy.ACCEPT_NEW, l.config().hostKeyPolicy());
        assertTrue(l.problems().isEmpty());
    }

    @Test
    void explicitMissingConfigIsAnError() {
        ConfigLoader.Loaded l = ConfigLoader.load(Map.of("SSH_FLEET_CONFIG", home + "/nope.yaml"), home);
        assertTrue(l.hasErrors());
    }

    @Test
    void readsEveryKeyAndExpandsHomeAndRelativePaths() throws Exception {
        Path cfg = home.resolve("conf/config.yaml");
        Files.createDirectories(cfg.getParent());
        Files.writeString(home.resolve("hosts.tsv"), "");
        Files.writeString(cfg, """
                auth_file: ~/hosts.tsv
                known_hosts: kh
                status_url: https://dash/status.json
                owners_url: /tmp/owners.json
                default_port: 2222
                host_key_policy: strict
                connect_timeout: 500ms
                idle_timeout: 90
                max_output_bytes: 4096
                guide_output_dir: ~/guides
                """);
        ConfigLoader.Loaded l = ConfigLoader.load(Map.of("SSH_FLEET_CONFIG", cfg.toString()), home);
        assertEquals(java.util.List.of(), l.problems());
        FleetConfig c = l.config();
        assertEquals(home.resolve("hosts.tsv"), c.authFile());
        assertEquals(home.resolve("conf/kh"), c.knownHosts());
        assertEquals(2222, c.defaultPort());
        assertEquals(HostKeyPolicy.STRICT, c.hostKeyPolicy());
        assertEquals(Duration.ofMillis(500), c.connectTimeout());
        assertEquals(Duration.ofSeconds(90), c.idleTimeout());
        assertEquals(4096, c.maxOutputBytes());
        assertEquals("https://dash/status.json", c.statusUrl());
    }

    @Test
    void reportsEveryProblemWithLineNumbersAndKeepsDefaults() throws Exception {
        Path cfg = home.resolve("config.yaml");
        Files.createDirectories(home.resolve(".ssh-fleet"));
        Files.writeString(home.resolve(".ssh-fleet/hosts.tsv"), "");
        Files.writeString(cfg, """
                default_port: 99999
                host_key_policy: yolo
                idle_timeout: soon
                colour: blue
                """);
        ConfigLoader.Loaded l = ConfigLoader.load(cfg, true, home);
        assertEquals(4, l.problems().size(), l.problems().toString());
        assertTrue(l.problems().get(0).where().endsWith("config.yaml:1"));
        assertTrue(l.problems().get(1).message().contains("yolo"));
        assertTrue(l.problems().get(2).where().endsWith(":3"));
        assertFalse(l.problems().get(3).isError(), "unknown keys only warn");
        assertEquals(22, l.config().defaultPort());
        assertEquals(HostKeyPolicy.ACCEPT_NEW, l.config().hostKeyPolicy());
    }

    @Test
    void brokenYamlIsOneErrorNotACrash() throws Exception {
        Path cfg = home.resolve("config.yaml");
        Files.writeString(cfg, "auth_file: [unclosed\n");
        ConfigLoader.Loaded l = ConfigLoader.load(cfg, true, home);
        assertTrue(l.hasErrors());
    }

    @Test
    void aYamlSyntaxErrorNamesLineAndColumnAndOffersNoMachinesInsteadOfAnotherFleet() throws Exception {
        Path cfg = home.resolve("config.yaml");
        Files.writeString(home.resolve(".ssh-fleet-hosts.tsv"), "x\t10.0.0.1\tu:p\n");
        Files.writeString(cfg, "auth_file: hosts.tsv\nconnect_timeout: [5\nidle_timeout: 90\n");
        ConfigLoader.Loaded l = ConfigLoader.load(Map.of("SSH_FLEET_CONFIG", cfg.toString()), home);
        assertTrue(l.unusable() != null, l.problems().toString());
        String p = l.unusable().toString();
        assertTrue(
                p.matches("(?s)error: " + java.util.regex.Pattern.quote(cfg.toString())
                        + ":\\d+:\\d+: YAML syntax error: .*"),
                p);
        assertFalse(p.contains("\n"), "one line: " + p);
        io.github.sshfleet.fleet.MachineStore store = new io.github.sshfleet.fleet.MachineStore(l.config(), home);
        store.refuseAll(l.unusable());
        assertEquals(java.util.List.of(l.unusable()), store.loadHostsFile());
        assertTrue(store.machines().isEmpty(), "never falls back to the default hosts file");
        io.github.sshfleet.core.FleetException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.github.sshfleet.core.FleetException.class, () -> store.select("all"));
        assertEquals(io.github.sshfleet.core.FleetException.Kind.NO_CONFIG, e.kind());
        assertTrue(e.getMessage().contains("YAML syntax error"), e.getMessage());
    }

    @Test
    void duplicateKeysMissingHostsFileAndTyposAreReported() throws Exception {
        Path cfg = home.resolve("config.yaml");
        Files.writeString(cfg, "auth_file: nowhere.tsv\nidle_timout: 5\nconnect_timeout: 5\nconnect_timeout: 6\n");
        ConfigLoader.Loaded l = ConfigLoader.load(Map.of("SSH_FLEET_CONFIG", cfg.toString()), home);
        String all = l.problems().toString();
        assertTrue(all.contains(cfg + ":4: connect_timeout: duplicate key (first at " + cfg + ":3)"), all);
        assertTrue(all.contains("unknown key 'idle_timout' ignored (did you mean idle_timeout?)"), all);
        assertTrue(
                all.contains("error: " + cfg + ":1: auth_file " + home.resolve("nowhere.tsv") + " does not exist"),
                all);
        assertTrue(l.hasErrors());
    }

    @Test
    void commandTimeoutIsAcceptedWithAWarningThatItDoesNothing() throws Exception {
        Path cfg = home.resolve("config.yaml");
        Files.writeString(home.resolve("hosts.tsv"), "");
        Files.writeString(cfg, "auth_file: hosts.tsv\ncommand_timeout: 2m\n");
        ConfigLoader.Loaded l = ConfigLoader.load(cfg, true, home);
        assertFalse(l.hasErrors(), l.problems().toString());
        assertTrue(
                l.problems().toString().contains("command_timeout has no effect and can be removed"),
                l.problems().toString());
    }

    @Test
    void aBadBooleanIsReportedAndKeepsTheDefaultWhileAGoodOneLaterInTheFileStillCounts() throws Exception {
        Path cfg = home.resolve("config.yaml");
        Files.writeString(home.resolve("hosts.tsv"), "");
        Files.writeString(cfg, """
                auth_file: hosts.tsv
                allow_adhoc_hosts: perhaps
                use_ssh_config: maybe
                tools: {render: false}
                """);
        ConfigLoader.Loaded l = ConfigLoader.load(cfg, true, home);
        FleetConfig c = l.config();
        assertFalse(c.allowAdhocHosts());
        assertTrue(c.sshConfig().isEmpty());
        assertEquals(
                2,
                l.problems().stream().filter(ConfigProblem::isError).count(),
                l.problems().toString());
        assertTrue(l.problems().get(0).toString().contains("allow_adhoc_hosts: expected true or false"));
        assertEquals(java.util.Set.of("render"), c.disabledTools());
        org.junit.jupiter.api.Assertions.assertThrows(
                UnsupportedOperationException.class, () -> c.disabledTools().add("exec"));
    }

    @Test
    void theIssuesPolicyExampleLoadsAsWritten() throws Exception {
        Path cfg = home.resolve("config.yaml");
        Files.writeString(home.resolve("hosts.tsv"), "");
        Files.writeString(cfg, """
                auth_file: hosts.tsv
                policy:
                  - machines: "db-*"
                    mode: readonly
                  - machines: ["web-1", "web-2"]
                    mode: restricted
                    allow: ["uptime", "df", "systemctl status", "systemctl restart nginx"]
                    deny: ["rm"]
                    write_paths: ["/srv/www"]
                  - machines: "*"
                    mode: full
                """);
        ConfigLoader.Loaded l = ConfigLoader.load(cfg, true, home);
        assertEquals(java.util.List.of(), l.problems());
        java.util.List<io.github.sshfleet.policy.Policy.Entry> e =
                l.config().policy().entries();
        assertEquals(3, e.size());
        assertEquals(io.github.sshfleet.policy.Policy.Mode.READONLY, e.get(0).mode());
        assertEquals(java.util.List.of("web-1", "web-2"), e.get(1).machines());
        assertEquals(4, e.get(1).allow().size());
        assertEquals(java.util.List.of("/srv/www"), e.get(1).writePaths());
        assertEquals(
                "policy entry 2 (machines: web-1, web-2; mode restricted)",
                e.get(1).describe());
    }

    @Test
    void aBrokenPolicyEntryIsReportedAndRefusesEverythingOnItsMachines() throws Exception {
        Path cfg = home.resolve("config.yaml");
        Files.writeString(home.resolve("hosts.tsv"), "");
        Files.writeString(cfg, """
                auth_file: hosts.tsv
                policy:
                  - machines: "db-*"
                    mode: readonyl
                  - machines: web-1
                    mdoe: full
                  - machines: web-2
                    allow: ["uptime"]
                  - machines: web-3
                    mode: restricted
                    allow: ["uptime; reboot"]
                    write_paths: [srv]
                  - mode: full
                """);
        ConfigLoader.Loaded l = ConfigLoader.load(cfg, true, home);
        String problems = l.problems().toString();
        assertTrue(problems.contains("config.yaml:4: policy: mode must be full, readonly or restricted"), problems);
        assertTrue(problems.contains("unknown key 'mdoe' (did you mean mode?)"), problems);
        assertTrue(problems.contains("only mode restricted uses; its mode is full"), problems);
        assertTrue(problems.contains("'uptime; reboot' is not a plain command"), problems);
        assertTrue(problems.contains("write_paths: 'srv' must be an absolute path"), problems);
        assertTrue(problems.contains("entry 5 needs machines:"), problems);
        java.util.List<io.github.sshfleet.policy.Policy.Entry> e =
                l.config().policy().entries();
        assertEquals(5, e.size(), "every entry is kept, in place");
        for (io.github.sshfleet.policy.Policy.Entry x : e) {
            assertEquals(io.github.sshfleet.policy.Policy.Mode.RESTRICTED, x.mode(), x.describe());
            assertTrue(x.allow().isEmpty() && x.writePaths().isEmpty(), x.describe());
        }
        assertEquals(java.util.List.of("*"), e.get(4).machines(), "no machines: it covers all until fixed");

        Files.writeString(cfg, "auth_file: hosts.tsv\npolicy: readonly\n");
        ConfigLoader.Loaded notAList = ConfigLoader.load(cfg, true, home);
        assertTrue(notAList.hasErrors());
        assertEquals(
                java.util.List.of("*"),
                notAList.config().policy().entries().get(0).machines());
    }

    @Test
    void kexIsAValidatedOrderedListAsAYamlListOrCommaSeparated() throws Exception {
        Files.writeString(home.resolve("hosts.tsv"), "");
        Path listed = Files.writeString(
                home.resolve("kex-list.yaml"),
                "auth_file: hosts.tsv\nkex: [sntrup761x25519-sha512@openssh.com, curve25519-sha256]\n");
        ConfigLoader.Loaded a = ConfigLoader.load(listed, true, home);
        assertTrue(a.problems().isEmpty(), a.problems().toString());
        assertEquals(
                List.of("sntrup761x25519-sha512@openssh.com", "curve25519-sha256"),
                a.config().kex());
        Path comma = Files.writeString(
                home.resolve("kex-comma.yaml"), "auth_file: hosts.tsv\nkex: ecdh-sha2-nistp256,curve25519-sha25\n");
        ConfigLoader.Loaded b = ConfigLoader.load(comma, true, home);
        assertEquals(List.of("ecdh-sha2-nistp256"), b.config().kex(), "the good name is kept");
        String why = b.problems().toString();
        assertTrue(b.hasErrors() && why.contains("did you mean curve25519-sha256"), why);
        assertEquals(List.of(), ConfigLoader.load(Map.of(), home).config().kex(), "default: ssh-fleet's own order");
    }

    @Test
    void anUnreadableRevokedHostKeysIsAnErrorAndIsKeptSoNoHostKeyIsAccepted() throws Exception {
        Files.writeString(home.resolve("hosts.tsv"), "");
        Path cfg = Files.writeString(
                home.resolve("revoked.yaml"), "auth_file: hosts.tsv\nrevoked_host_keys: revoked.krl\n");
        ConfigLoader.Loaded missing = ConfigLoader.load(cfg, true, home);
        assertEquals(
                java.util.Optional.of(home.resolve("revoked.krl")),
                missing.config().revokedHostKeys());
        String why = missing.problems().toString();
        assertTrue(missing.hasErrors() && why.contains("no host key is accepted until it can"), why);
        Files.writeString(home.resolve("revoked.krl"), "");
        ConfigLoader.Loaded present = ConfigLoader.load(cfg, true, home);
        assertTrue(present.problems().isEmpty(), present.problems().toString());
        Path none = Files.writeString(home.resolve("none.yaml"), "auth_file: hosts.tsv\nrevoked_host_keys: none\n");
        assertEquals(
                java.util.Optional.empty(),
                ConfigLoader.load(none, true, home).config().revokedHostKeys());
    }
}
