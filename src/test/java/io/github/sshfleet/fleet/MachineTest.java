package io.github.sshfleet.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pool's map key: written-out equals and hashCode that still cover every component. */
class MachineTest {

    @Test
    void everyComponentOfTheConnectionKeyTakesPartInEqualsAndHashCode() throws Exception {
        RecordComponent[] components = Machine.ConnectionKey.class.getRecordComponents();
        Constructor<Machine.ConnectionKey> make = Machine.ConnectionKey.class.getDeclaredConstructor(
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
        Object[] base = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            base[i] = components[i].getType() == int.class ? (Object) 22 : "value-" + i;
        }
        Machine.ConnectionKey key = make.newInstance(base);
        assertEquals(key, make.newInstance(base.clone()));
        assertEquals(key.hashCode(), make.newInstance(base.clone()).hashCode());
        for (int i = 0; i < components.length; i++) {
            for (Object other :
                    components[i].getType() == int.class ? new Object[] {2222} : new Object[] {"other", null}) {
                Object[] changed = base.clone();
                changed[i] = other;
                Machine.ConnectionKey k = make.newInstance(changed);
                assertNotEquals(key, k, components[i].getName() + " = " + other);
                assertNotEquals(key.hashCode(), k.hashCode(), components[i].getName() + " = " + other);
                assertEquals(k, make.newInstance(changed.clone()), "null components compare too");
            }
        }
        assertFalse(key.equals("value-0"));
        assertTrue(key.toString().contains("value-0") && !key.toString().contains("value-3"), key.toString());
    }

    /** A fresh JVM compares two keys: before, that linked the record's methods through ObjectMethods' bootstrap. */
    @Test
    void comparingConnectionKeysLinksNoRecordMethodAtRunTime() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-Xshare:off",
                        "-Xlog:class+load=info:stdout",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Probe.class.getName())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("compared: true"), out);
        assertFalse(out.contains("java.lang.runtime.ObjectMethods "), "ObjectMethods was loaded to compare keys");
    }

    static final class Probe {
        public static void main(String[] args) {
            Machine.ConnectionKey a = new Machine.ConnectionKey("h", 22, "u", "p", null, null, null, null, null);
            Machine.ConnectionKey b = new Machine.ConnectionKey("h", 22, "u", "p", null, null, null, null, null);
            java.util.Map<Machine.ConnectionKey, String> m = new java.util.HashMap<>();
            m.put(a, "x");
            System.out.println("compared: "
                    + (a.equals(b) && "x".equals(m.get(b)) && a.toString().equals("u@h:22")));
        }
    }
}
