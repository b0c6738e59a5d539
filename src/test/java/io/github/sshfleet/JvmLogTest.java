package io.github.sshfleet;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the server leaves the JVM's log where the command line put it (and so never loads JMX for it). */
class JvmLogTest {

    private static List<String> words(String line) {
        return new ArrayList<>(List.of(line.split(" ")));
    }

    @Test
    void theReadmesCommandLineAlreadySendsTheJvmLogToStderr() {
        List<String> readme =
                words(StartupArchive.command(java.nio.file.Path.of("/h/a.jsa"), java.nio.file.Path.of("/x.jar")));
        readme.remove(0); // "java": ProcessHandle's arguments start after the command
        assertTrue(JvmLog.alreadyOnStderr(readme));
        assertTrue(JvmLog.alreadyOnStderr(words("-Xlog:disable -Xlog:all=warning:stderr -jar x.jar -Xlog:app-arg")));
    }

    @Test
    void anyOtherCommandLineGetsTheRunTimeMove() {
        assertFalse(JvmLog.alreadyOnStderr(words("-jar x.jar")), "a bare java -jar");
        assertFalse(JvmLog.alreadyOnStderr(words("-Xlog:all=warning:stderr -jar x.jar")), "stdout not disabled");
        assertFalse(
                JvmLog.alreadyOnStderr(words("-Xlog:disable -Xlog:all=warning:stderr -Xlog:gc -jar x.jar")),
                "a later -Xlog goes to stdout");
        assertFalse(
                JvmLog.alreadyOnStderr(words("-Xlog:all=warning:stderr -Xlog:disable -jar x.jar")),
                "disabled last: nothing on stderr either, but not what the README says");
    }
}
