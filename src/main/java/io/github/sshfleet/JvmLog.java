package io.github.sshfleet;

import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.List;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the JVM's own log (unified logging: GC, threads, code cache, class-data archive warnings) from stdout, its
 * default, to stderr, so that a JVM warning can never land in the middle of the JSON-RPC stream.
 * <p>
 * The client starts us with a bare {@code java -jar}, so this cannot be a command-line flag; it is done at run time
 * through the VM.log diagnostic command (what {@code jcmd <pid> VM.log} does). Loading JMX for it costs ~150 ms of CPU,
 * so Main runs it after the MCP handshake, off the start-up path, and not at all when the command line already has
 * the README's {@link StartupArchive#JVM_OPTIONS}: that CPU would otherwise compete with an agent's first call.
 */
final class JvmLog {

    private static final Logger log = LoggerFactory.getLogger(JvmLog.class);

    private JvmLog() {}

    static void toStderr() {
        if (alreadyOnStderr(
                ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()))) {
            return;
        }
        try {
            var server = ManagementFactory.getPlatformMBeanServer();
            ObjectName dcmd = new ObjectName("com.sun.management:type=DiagnosticCommand");
            String[] signature = {String[].class.getName()};
            server.invoke(dcmd, "vmLog", new Object[] {new String[] {"disable"}}, signature);
            server.invoke(dcmd, "vmLog", new Object[] {new String[] {"output=stderr", "what=all=warning"}}, signature);
        } catch (JMException | RuntimeException e) { // a JVM without the command: warnings stay on stdout, rare anyway
            log.debug("could not move the JVM's log to stderr: {}", e.toString());
        }
    }

    /** The JVM options end with the README's log options, as consecutive words, and no -Xlog after them. */
    static boolean alreadyOnStderr(List<String> arguments) {
        List<String> ours = List.of(StartupArchive.JVM_OPTIONS.split(" "));
        int at = Collections.lastIndexOfSubList(arguments, ours);
        if (at < 0) {
            return false;
        }
        List<String> after = arguments.subList(at + ours.size(), arguments.size());
        int jar = after.indexOf("-jar");
        return (jar < 0 ? after : after.subList(0, jar)).stream().noneMatch(a -> a.startsWith("-Xlog"));
    }
}
