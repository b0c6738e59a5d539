package io.github.sshfleet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostsFileTest {

    @TempDir
    Path dir;

    @Test
    void parsesTheReferenceFormatAndItsExtensions() throws Exception {
        Path f = dir.resolve("hosts.tsv");
        Files.createDirectories(dir.resolve(".ssh"));
        Files.writeString(dir.resolve(".ssh/id_ed25519"), "not really a key");
        Files.writeString(
                f,
                String.join(
                        "\n",
                        "# comment",
                        "",
                        "web-1\t192.168.1.10\tadmin:secretpass",
                        "db-1\t10.0.0.5:2222\tpostgres:pa:ss:word",
                        "v6\t[fe80::1]:2200\troot:x",
                        "bare6\tfe80::2\troot:x",
                        "keyed\tkeyhost\tdeploy\tkey=~/.ssh/id_ed25519\tpassphrase=pp",
                        "spaces  1.2.3.4  u:p",
                        ""));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        HostsFile.Parsed p = HostsFile.read(f, dir);
        assertEquals(List.of(), p.problems());
        List<HostEntry> e = p.entries();
        assertEquals(6, e.size());
        assertEquals("secretpass", e.get(0).password());
        assertEquals(0, e.get(0).port());
        assertEquals("pa:ss:word", e.get(1).password(), "split at the first colon only");
        assertEquals(2222, e.get(1).port());
        assertEquals("fe80::1", e.get(2).address());
        assertEquals(2200, e.get(2).port());
        assertEquals("fe80::2", e.get(3).address());
        assertNull(e.get(4).password());
        assertEquals(dir.resolve(".ssh/id_ed25519").toString(), e.get(4).keyFile());
        assertEquals("pp", e.get(4).passphrase());
        assertEquals("spaces", e.get(5).name());
        assertTrue(e.get(0).toString().contains("***") && !e.get(0).toString().contains("secretpass"));
    }

    @Test
    void badLinesAreSkippedWithFileAndLine() throws Exception {
        Path f = dir.resolve("hosts.tsv");
        Files.writeString(
                f,
                "ok\t1.1.1.1\tu:p\nbroken\t1.1.1.2\nnocred\t1.1.1.3\tuser\nbadport\t1.1.1.4:99999\tu:p\n"
                        + "ok\t1.1.1.5\tu:p\nbad name\t1.1.1.6\tu:p\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        HostsFile.Parsed p = HostsFile.read(f, dir);
        // "nocred" (a user, no password, no key) is valid: its password may come from the credential store.
        assertEquals(
                List.of("ok", "nocred"),
                p.entries().stream().map(HostEntry::name).toList());
        List<String> where = p.problems().stream().map(ConfigProblem::where).toList();
        assertTrue(where.get(0).equals(f.toString()), "loose permissions warned first: " + p.problems());
        assertTrue(p.problems().get(0).message().contains("chmod 600"));
        assertTrue(
                where.contains(f + ":2")
                        && !where.contains(f + ":3")
                        && where.contains(f + ":4")
                        && where.contains(f + ":5")
                        && where.contains(f + ":6"),
                where.toString());
        assertTrue(p.problems().stream().noneMatch(ConfigProblem::isError), "bad lines never stop the server");
    }

    @Test
    void writeKeepsCommentsReplacesMatchesAndIsPrivate() throws Exception {
        Path f = dir.resolve("sub/hosts.tsv");
        HostsFile.write(f, new HostEntry("a", "1.1.1.1", 0, "u", "p", null, null, 0), e -> false, dir);
        Files.writeString(f, Files.readString(f) + "# keep me\n");
        HostsFile.write(f, new HostEntry("b", "2.2.2.2", 2222, "u", null, "/k", null, 0), e -> false, dir);
        HostsFile.write(
                f,
                new HostEntry("a", "3.3.3.3", 0, "v", "q", null, null, 0),
                e -> e.name().equals("a"),
                dir);
        String text = Files.readString(f);
        assertTrue(text.contains("# keep me"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        List<HostEntry> e = HostsFile.read(f, dir).entries();
        assertEquals(List.of("b", "a"), e.stream().map(HostEntry::name).toList());
        assertEquals("3.3.3.3", e.get(1).address());
        assertEquals("/k", e.get(0).keyFile());
        assertEquals(2222, e.get(0).port());
        try (var files = Files.list(f.getParent())) {
            assertEquals(1, files.count(), "no temp files left behind");
        }
    }

    @Test
    void aMissingKeyFileIsAnErrorAndProseNeverBecomesAMachine() throws Exception {
        Path f = dir.resolve("hosts.tsv");
        Files.writeString(
                f,
                String.join(
                        "\n",
                        "keyed\t10.0.0.1\tdeploy\tkey=/nonexistent/id_ed25519",
                        "this is a sentence someone pasted",
                        "spaced   10.0.0.2   admin:pw   jump=keyed",
                        ""));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        HostsFile.Parsed p = HostsFile.read(f, dir);
        assertEquals(
                List.of("keyed", "spaced"),
                p.entries().stream().map(HostEntry::name).toList());
        assertEquals(
                "error: " + f + ":1: key file /nonexistent/id_ed25519 does not exist or is not readable; fix key= on "
                        + "this line, then call reload_machines",
                p.problems().get(0).toString());
        assertTrue(
                p.problems().get(1).toString().startsWith("warning: " + f + ":2: field 4 'sentence' is not an option"),
                p.problems().toString());
    }

    @Test
    void proxyAndCertColumnsAreReadCheckedAndWrittenBack() throws Exception {
        Path f = dir.resolve("hosts.tsv");
        Files.writeString(dir.resolve("id"), "k\n");
        Files.writeString(dir.resolve("id.cert"), "c\n");
        Files.writeString(
                f,
                "ssm\ti-0abc:22\tec2-user\tkey=" + dir.resolve("id") + "\tproxy=aws ssm start-session --target %h"
                        + "\tcert=" + dir.resolve("id.cert") + "\n"
                        + "both\t10.0.0.2\tu:p\tjump=ssm\tproxy=nc %h %p\n"
                        + "token\t10.0.0.3\tu:p\tproxy=nc %h %x\n"
                        + "certonly\t10.0.0.4\tu:p\tcert=" + dir.resolve("id.cert") + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        HostsFile.Parsed p = HostsFile.read(f, dir);
        assertEquals(
                List.of("ssm"),
                p.entries().stream().map(HostEntry::name).toList(),
                p.problems().toString());
        HostEntry ssm = p.entries().get(0);
        assertEquals("aws ssm start-session --target %h", ssm.proxyCommand());
        assertEquals(dir.resolve("id.cert").toString(), ssm.certFile());
        String problems = p.problems().toString();
        assertTrue(problems.contains("proxy= and jump= both"), problems);
        assertTrue(problems.contains("%x"), problems);
        assertTrue(problems.contains("cert= is the certificate of a key"), problems);
        HostEntry again = HostsFile.parseLine(ssm.toLine(), 1, dir, "x", new java.util.ArrayList<>());
        assertEquals(ssm, again, "toLine writes both columns back");
    }
}
