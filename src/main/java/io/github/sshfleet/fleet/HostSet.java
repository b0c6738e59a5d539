package io.github.sshfleet.fleet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Host-set notation as ClusterShell writes it: names that differ only in their last number fold into one pattern with
 * ranges, {@code web-[1-3,7]}, {@code 10.0.0.[5-9]}, {@code db[01-12].dc1}. Zero-padded numbers keep their width
 * (web-01 and web-1 are different names and never share a pattern). Names without a number are listed as they are.
 * Patterns come in the order of their first host.
 */
public final class HostSet {

    private HostSet() {}

    /** The folded set: patterns and plain names joined by commas. */
    public static String fold(List<String> names) {
        return String.join(",", patterns(names));
    }

    /**
     * The folded set as separate patterns. Names are split into text and number runs; names of the same shape fold on
     * the last run whose number varies among them (db01.dc1, db02.dc1 fold on "01", not on the "1" of dc1).
     */
    public static List<String> patterns(List<String> names) {
        Map<String, List<Parsed>> byShape = new LinkedHashMap<>();
        List<Object> order = new ArrayList<>(); // a shape key or a plain name, in first-seen order
        for (String name : names) {
            Parsed p = Parsed.of(name);
            if (p == null) {
                order.add(name);
                continue;
            }
            String shape = String.join("\0", p.texts);
            if (!byShape.containsKey(shape)) {
                order.add(new Shape(shape));
            }
            byShape.computeIfAbsent(shape, k -> new ArrayList<>()).add(p);
        }
        List<String> out = new ArrayList<>();
        for (Object o : order) {
            if (o instanceof Shape sh) {
                families(byShape.get(sh.key)).forEach(f -> out.add(f.pattern()));
            } else {
                out.add((String) o);
            }
        }
        return out;
    }

    private record Shape(String key) {}

    /** Text runs and number runs of a name: texts has one more entry than digits. Null without any number. */
    private record Parsed(String name, List<String> texts, List<String> digits) {
        static Parsed of(String name) {
            List<String> texts = new ArrayList<>();
            List<String> digits = new ArrayList<>();
            int i = 0;
            StringBuilder text = new StringBuilder();
            while (i < name.length()) {
                if (Character.isDigit(name.charAt(i))) {
                    int j = i;
                    while (j < name.length() && Character.isDigit(name.charAt(j))) {
                        j++;
                    }
                    if (j - i > 18) { // too long to be a number
                        return null;
                    }
                    texts.add(text.toString());
                    text.setLength(0);
                    digits.add(name.substring(i, j));
                    i = j;
                } else {
                    text.append(name.charAt(i++));
                }
            }
            texts.add(text.toString());
            return digits.isEmpty() ? null : new Parsed(name, texts, digits);
        }
    }

    /** Names of one shape folded on the last varying number run; the other runs must match (else: separate). */
    private static List<Family> families(List<Parsed> same) {
        int runs = same.get(0).digits.size();
        int k = runs - 1;
        for (int r = runs - 1; r >= 0; r--) {
            final int idx = r;
            if (same.stream().map(p -> p.digits.get(idx)).distinct().count() > 1) {
                k = r;
                break;
            }
        }
        // Widths of zero-padded numbers present: "10" joins a family padded to 2 ("01"-"10"), as ClusterShell reads it.
        java.util.Set<Integer> padded = new java.util.HashSet<>();
        for (Parsed p : same) {
            String d = p.digits.get(k);
            if (d.length() > 1 && d.charAt(0) == '0') {
                padded.add(d.length());
            }
        }
        Map<String, Family> families = new LinkedHashMap<>();
        for (Parsed p : same) {
            // name = t0 d0 t1 d1 ... d(n-1) tn; folding on d_k: prefix = t0 d0 ... t_k, suffix = t(k+1) ... tn.
            StringBuilder prefix = new StringBuilder();
            for (int r = 0; r < k; r++) {
                prefix.append(p.texts.get(r)).append(p.digits.get(r));
            }
            prefix.append(p.texts.get(k));
            StringBuilder suffix = new StringBuilder();
            for (int r = k + 1; r < runs; r++) {
                suffix.append(p.texts.get(r)).append(p.digits.get(r));
            }
            suffix.append(p.texts.get(runs));
            String digits = p.digits.get(k);
            int width = padded.contains(digits.length()) ? digits.length() : 0;
            String key = prefix + "\0" + suffix + "\0" + width;
            families.computeIfAbsent(key, x -> new Family(prefix.toString(), suffix.toString(), width))
                    .numbers
                    .add(Long.parseLong(digits));
        }
        return new ArrayList<>(families.values());
    }

    /** Names sharing prefix, suffix and padding; their numbers fold into ranges. */
    private static final class Family {
        final String prefix;
        final String suffix;
        final int width;
        final TreeSet<Long> numbers = new TreeSet<>();

        Family(String prefix, String suffix, int width) {
            this.prefix = prefix;
            this.suffix = suffix;
            this.width = width;
        }

        String pattern() {
            if (numbers.size() == 1) {
                return prefix + format(numbers.first()) + suffix;
            }
            StringBuilder ranges = new StringBuilder();
            Long from = null;
            Long prev = null;
            for (long n : numbers) {
                if (prev != null && n == prev + 1) {
                    prev = n;
                    continue;
                }
                if (from != null) {
                    append(ranges, from, prev);
                }
                from = n;
                prev = n;
            }
            append(ranges, from, prev);
            return prefix + "[" + ranges + "]" + suffix;
        }

        private void append(StringBuilder sb, long from, long to) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(format(from));
            if (to != from) {
                sb.append('-').append(format(to));
            }
        }

        private String format(long n) {
            String s = Long.toString(n);
            return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
        }
    }
}
