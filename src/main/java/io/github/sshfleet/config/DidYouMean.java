package io.github.sshfleet.config;

import java.util.List;
import java.util.Optional;

/** Suggestions for misspelt names: an operator who wrote {@code conect_timeout} is told the key they meant. */
final class DidYouMean {

    private DidYouMean() {}

    /** The known name closest to a misspelt one (edit distance at most 3), if any. */
    static Optional<String> nearest(String key, List<String> known) {
        String best = null;
        int bestDistance = 4;
        for (String k : known) {
            int dist = distance(key.toLowerCase(java.util.Locale.ROOT), k);
            if (dist < bestDistance) {
                best = k;
                bestDistance = dist;
            }
        }
        return Optional.ofNullable(best);
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
