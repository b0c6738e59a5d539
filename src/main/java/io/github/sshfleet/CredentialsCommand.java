package io.github.sshfleet;

import io.github.sshfleet.config.CredentialStore;
import io.github.sshfleet.config.HostsFile;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code java -jar ssh-fleet.jar credentials set|list|delete <machine>}: edits the encrypted credential store. The
 * master password comes from SSH_FLEET_MASTER_PASSWORD or a prompt; a machine's password from a prompt (no echo) or,
 * without a terminal, one line of stdin. Secrets never go on the command line.
 */
final class CredentialsCommand {

    private CredentialsCommand() {}

    // Long on purpose: one case per credentials subcommand (set, list, remove, passphrase).
    static int run(String[] argv, PrintStream out, Path home, Map<String, String> env) {
        String action = argv.length > 1 ? argv[1] : "";
        boolean needsName = action.equals("set") || action.equals("delete");
        if (!(needsName ? argv.length == 3 : action.equals("list") && argv.length == 2)) {
            System.err.println("usage: java -jar ssh-fleet.jar credentials set <machine> | list | delete <machine>\n"
                    + "The master password is read from SSH_FLEET_MASTER_PASSWORD or prompted for.");
            return 2;
        }
        Path file = CredentialStore.defaultFile(home);
        Console console = System.console();
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String masterEnv = env.get("SSH_FLEET_MASTER_PASSWORD");
        if ((masterEnv == null || masterEnv.isEmpty()) && console == null) {
            // Without a terminal, stdin carries the machine's password (piped): taking its first line as the master
            // password would lock the store with a password nobody chose.
            System.err.println("credentials: no terminal to ask for the master password: set SSH_FLEET_MASTER_PASSWORD"
                    + " in the environment (e.g. read -rs SSH_FLEET_MASTER_PASSWORD; export SSH_FLEET_MASTER_PASSWORD)"
                    + "; nothing was changed");
            return 2;
        }
        try {
            char[] master = secret(masterEnv, "Master password: ", console, stdin);
            if (master == null || master.length == 0) {
                System.err.println(
                        "credentials: no master password (set SSH_FLEET_MASTER_PASSWORD or run in a terminal)");
                return 2;
            }
            if (!Files.exists(file) && env.get("SSH_FLEET_MASTER_PASSWORD") == null && console != null) {
                char[] again = console.readPassword("Repeat the new master password: ");
                if (again == null || !java.util.Arrays.equals(master, again)) {
                    System.err.println("credentials: the passwords differ; nothing written");
                    return 1;
                }
            }
            CredentialStore store = CredentialStore.open(file, master);
            switch (action) {
                case "list" -> {
                    if (store.names().isEmpty()) {
                        out.println("no machines in " + file);
                    }
                    store.names().forEach(out::println);
                }
                case "delete" ->
                    out.println(store.delete(argv[2]) ? "deleted " + argv[2] : argv[2] + " was not stored");
                default -> {
                    if (!HostsFile.isValidName(argv[2])) {
                        System.err.println("credentials: '" + argv[2] + "' is not a valid machine name");
                        return 2;
                    }
                    char[] secret = secret(null, "Password for " + argv[2] + ": ", console, stdin);
                    if (secret == null || secret.length == 0) {
                        System.err.println("credentials: empty password; nothing written");
                        return 1;
                    }
                    store.set(argv[2], new String(secret));
                    out.println("stored the password for " + argv[2] + " in " + file + " (0600, AES-256-GCM)");
                }
            }
            return 0;
        } catch (CredentialStore.LockedException e) {
            System.err.println("credentials: " + e.getMessage() + "; nothing was changed");
            return 1;
        } catch (IOException e) {
            System.err.println("credentials: " + e.getMessage());
            return 1;
        }
    }

    private static char[] secret(String fromEnv, String prompt, Console console, BufferedReader stdin)
            throws IOException {
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv.toCharArray();
        }
        if (console != null) {
            return console.readPassword(prompt);
        }
        String line = stdin.readLine();
        return line == null ? null : line.toCharArray();
    }
}
