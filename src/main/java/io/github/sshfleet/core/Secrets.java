package io.github.sshfleet.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one place secrets are masked. Every machine secret ssh-fleet knows (passwords, key passphrases, enable
 * passwords) is registered here when machines are loaded, and every text shown to the agent from a host passes
 * through {@link #mask}: a command on one machine that prints another machine's password shows asterisks. The
 * registry is process-wide and only grows: a secret that was once a machine's stays masked after it changes.
 */
public final class Secrets {

    /** Shorter values would mangle ordinary output ("a", "12") and protect nothing. */
    public static final int MIN_LENGTH = 4;

    public static final String MASK = "********";

    /**
     * Tool arguments that carry a secret or a payload (a file's or a script's text): never quoted in a message,
     * never written to a log or the audit trail as text, whatever type the call gave them. env's values likewise.
     */
    public static final Set<String> ARGUMENTS =
            Set.of("content", "script", "password", "passphrase", "enable_password");

    private static final Object lock = new Object();
    /** Longest first, so a secret that contains another is masked whole. */
    private static volatile List<String> known = List.of();

    private Secrets() {}

    /** Adds values to mask from now on (nulls and short ones are ignored). */
    public static void register(Collection<String> values) {
        synchronized (lock) {
            Set<String> all = new LinkedHashSet<>(known);
            boolean changed = false;
            for (String v : values) {
                if (v != null && v.length() >= MIN_LENGTH) {
                    changed |= all.add(v);
                }
            }
            if (changed) {
                List<String> sorted = new ArrayList<>(all);
                sorted.sort(Comparator.comparingInt(String::length).reversed());
                known = List.copyOf(sorted);
            }
        }
    }

    /** {@code text} with every known secret, and each of {@code extra} (e.g. a script's env values), masked. */
    public static String mask(String text, Collection<String> extra) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String t = text;
        for (String s : extra) {
            if (s != null && s.length() >= MIN_LENGTH && t.contains(s)) {
                t = t.replace(s, MASK);
            }
        }
        for (String s : known) {
            if (t.contains(s)) {
                t = t.replace(s, MASK);
            }
        }
        return t;
    }

    public static String mask(String text) {
        return mask(text, List.of());
    }

    /** {@code text} with one extra secret masked as well as the known ones. */
    public static String mask(String text, String secret) {
        return mask(text, secret == null ? List.of() : List.of(secret));
    }
}
