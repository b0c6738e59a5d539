package io.github.sshfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Host-set notation, as ClusterShell folds names. */
class HostSetTest {

    @Test
    void foldsTheLastNumberIntoRanges() {
        assertEquals("web-1", HostSet.fold(List.of("web-1")));
        assertEquals("web-[1-2]", HostSet.fold(List.of("web-2", "web-1")));
        assertEquals("web-[1-3,7]", HostSet.fold(List.of("web-1", "web-2", "web-3", "web-7")));
        assertEquals("db[01-03,10].dc1", HostSet.fold(List.of("db01.dc1", "db02.dc1", "db03.dc1", "db10.dc1")));
        assertEquals(
                "web-[1-2],web-[01-02]",
                HostSet.fold(List.of("web-1", "web-01", "web-2", "web-02")),
                "padded and unpadded numbers are different names");
    }

    @Test
    void addressesAndNamesWithoutNumbers() {
        assertEquals("10.0.0.[5-9]", HostSet.fold(List.of("10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.8", "10.0.0.9")));
        assertEquals("fe80::[1-2],fe80::a", HostSet.fold(List.of("fe80::1", "fe80::2", "fe80::a")));
        assertEquals("alpha,beta,gamma-[1-2]", HostSet.fold(List.of("alpha", "beta", "gamma-1", "gamma-2")));
    }

    @Test
    void fiveHundredAndTenThousandHostsStayShort() {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            names.add("web-" + i);
        }
        Collections.shuffle(names);
        assertEquals("web-[1-500]", HostSet.fold(names));
        List<String> many = new ArrayList<>();
        for (int i = 1; i <= 10_000; i++) {
            if (i % 1000 != 0) {
                many.add(String.format("node%05d", i));
            }
        }
        String folded = HostSet.fold(many);
        assertTrue(folded.startsWith("node[00001-00999,01001-01999,"), folded);
        assertTrue(folded.length() < 200, folded);
    }
}
