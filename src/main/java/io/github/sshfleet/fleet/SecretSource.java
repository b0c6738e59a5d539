package io.github.sshfleet.fleet;

import io.github.sshfleet.config.CredentialStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Where a machine's password comes from when the hosts file does not spell it out: {@code env:VAR} reads an
 * environment variable; a line with a user but no password and no key takes it from the encrypted credential store,
 * unlocked with SSH_FLEET_MASTER_PASSWORD. Problems (unset variable, locked store) become load warnings that say how
 * to fix them; they never stop the server.
 */
final class SecretSource {

    static final String MASTER_ENV = "SSH_FLEET_MASTER_PASSWORD";

    private final Path storeFile;
    private final Function<String, String> env;
    private final List<String> problems = new ArrayList<>();
    private CredentialStore store;
    private boolean storeTried;

    SecretSource(Path storeFile, Function<String, String> env) {
        this.storeFile = storeFile;
        this.env = env;
    }

    /** Re-read on reload: the store may have been edited since. */
    synchronized void reset() {
        problems.clear();
        store = null;
        storeTried = false;
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    synchronized String password(String machine, String fromHostsFile, boolean hasKey) {
        if (fromHostsFile != null && fromHostsFile.startsWith("env:")) {
            String var = fromHostsFile.substring(4);
            String v = env.apply(var);
            if (v == null || v.isEmpty()) {
                problems.add("machine '" + machine + "': environment variable " + var + " (env:" + var
                        + ") is not set; it has no password until the server is started with it");
                return null;
            }
            return v;
        }
        if (fromHostsFile != null) {
            return fromHostsFile;
        }
        CredentialStore s = store();
        String v = s == null ? null : s.get(machine);
        if (v == null && !hasKey) {
            problems.add("machine '" + machine
                    + "' has no password and no key= (fine if ssh-agent holds its key): add one with 'java -jar "
                    + "ssh-fleet.jar credentials set " + machine + "' (and start the server with " + MASTER_ENV
                    + "), or put user:password or key=/path on its hosts line");
        }
        return v;
    }

    /** The store's password for {@code name}, if any; records no problem (ad-hoc targets, asked per call). */
    synchronized String stored(String name) {
        CredentialStore s = store();
        return s == null ? null : s.get(name);
    }

    private CredentialStore store() {
        if (storeTried) {
            return store;
        }
        storeTried = true;
        if (!Files.exists(storeFile)) {
            return null;
        }
        String master = env.apply(MASTER_ENV);
        if (master == null || master.isEmpty()) {
            problems.add(storeFile + " exists but " + MASTER_ENV + " is not set: its passwords are not used");
            return null;
        }
        try {
            store = CredentialStore.open(storeFile, master.toCharArray());
        } catch (CredentialStore.LockedException | IOException e) {
            problems.add("credential store: " + e.getMessage() + "; its passwords are not used");
        }
        return store;
    }
}
