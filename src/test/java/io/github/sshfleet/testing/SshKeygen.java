package io.github.sshfleet.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** ssh-keygen as the tests use it: key pairs, CAs and the certificates they sign. */
public final class SshKeygen {

    private SshKeygen() {}

    /** Runs ssh-keygen with {@code args}; fails the test with its output if it fails. */
    public static void run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ssh-keygen"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "ssh-keygen " + args[0] + ": " + out);
    }

    /** An unencrypted ed25519 key pair at {@code dir/name}; returns the public key as "ssh-ed25519 AAAA...". */
    public static String key(Path dir, String name) throws IOException, InterruptedException {
        run("-q", "-t", "ed25519", "-N", "", "-C", name, "-f", dir.resolve(name).toString());
        String[] pub = Files.readString(dir.resolve(name + ".pub")).trim().split(" ");
        return pub[0] + " " + pub[1];
    }
}
