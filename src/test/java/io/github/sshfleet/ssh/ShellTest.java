package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Quoting is proven by a real shell, not by comparing strings. */
class ShellTest {

    static String echoThroughSh(String arg) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "printf '%s' " + Shell.quote(arg)).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    @Test
    void anyTextSurvivesQuoting() throws Exception {
        for (String s : new String[] {
            "",
            "plain",
            "it's",
            "'",
            "''",
            "$HOME `id` $(id) \\ \" ; | & > < * ?",
            "line1\nline2",
            "tab\there",
            "ünïcødé €"
        }) {
            assertEquals(s, echoThroughSh(s));
        }
    }

    @Test
    void loginWrapperRunsTheCommandVerbatim() throws Exception {
        String cmd = "echo \"a'b\" $((1+2))";
        Process p = new ProcessBuilder("sh", "-c", Shell.login(cmd)).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        assertEquals("a'b 3\n", out);
    }
}
