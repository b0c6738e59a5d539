package io.github.sshfleet.shell;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Unpredictable marker tokens: output cannot contain one by accident, and a command cannot guess the next one. */
final class Tokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {}

    static String next() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
