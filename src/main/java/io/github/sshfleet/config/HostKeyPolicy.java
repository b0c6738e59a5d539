package io.github.sshfleet.config;

import java.util.Arrays;
import java.util.Optional;

/** How unknown and changed host keys are treated. A changed key is refused under every policy but {@link #OFF}. */
public enum HostKeyPolicy {
    /** Trust on first use: an unknown key is recorded in known_hosts; a changed key is refused. */
    ACCEPT_NEW("accept-new"),
    /** Only keys already in known_hosts are accepted. */
    STRICT("strict"),
    /** No verification at all. Loudly warned about; for throwaway lab machines only. */
    OFF("off");

    private final String configName;

    HostKeyPolicy(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static Optional<HostKeyPolicy> parse(String value) {
        return Arrays.stream(values())
                .filter(p -> p.configName.equalsIgnoreCase(value.trim()))
                .findFirst();
    }
}
