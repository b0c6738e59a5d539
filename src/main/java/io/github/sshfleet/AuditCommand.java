package io.github.sshfleet;

import io.github.sshfleet.audit.AuditVerifier;
import io.github.sshfleet.config.ConfigLoader;
import io.github.sshfleet.config.FleetConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** {@code java -jar ssh-fleet.jar audit verify [FILE|DIR]}: checks the audit chain; exit 0 intact, 1 broken, 2 usage. */
final class AuditCommand {

    private AuditCommand() {}

    static int run(String[] argv, PrintStream out, Path home, Map<String, String> env) {
        if (argv.length < 2 || argv.length > 3 || !argv[1].equals("verify")) {
            System.err.println(
                    "usage: java -jar ssh-fleet.jar audit verify [FILE|DIR]  (default: audit_log's directory)");
            return 2;
        }
        Path target;
        if (argv.length == 3) {
            target = Path.of(argv[2]);
        } else {
            FleetConfig c = ConfigLoader.load(env, home).config();
            Optional<Path> dir = c.auditLog();
            if (dir.isEmpty()) {
                System.err.println("ssh-fleet: audit_log is off in the config; name a file or directory to verify");
                return 2;
            }
            target = dir.get();
        }
        if (!Files.exists(target)) {
            System.err.println("ssh-fleet: no audit log at " + target);
            return 2;
        }
        try {
            AuditVerifier.Report r = AuditVerifier.verify(target);
            if (r.ok()) {
                out.println("ok: " + r.lines() + " lines in " + r.files() + " file" + (r.files() == 1 ? "" : "s")
                        + " of " + target + " chain");
                return 0;
            }
            out.println("BROKEN: " + r.broken());
            return 1;
        } catch (IOException e) {
            System.err.println("ssh-fleet: cannot read " + target + ": " + e.getMessage());
            return 2;
        }
    }
}
