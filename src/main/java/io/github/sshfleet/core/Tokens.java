package io.github.sshfleet.core;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Unpredictable tokens (16 hex digits) for shell markers, sudo prompts and staging file names: output cannot contain
 * one by accident, and nobody on the host can guess the next one.
 */
public final class Tokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {}

    public static String next() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
