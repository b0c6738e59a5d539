package io.github.sshfleet;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What this JAR is: its version, the commit it was built from, the build's reproducible timestamp, and the versions of
 * the libraries bundled in it. All from build-info.properties, which the build fills in from the POM (one place for
 * every version); nothing is read from the build machine.
 */
final class BuildInfo {

    private static final Properties INFO = load();

    private BuildInfo() {}

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build-info.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // a JAR without it is a development build: "dev" below
        }
        return p;
    }

    /** The value, or null when the build did not fill it in (a placeholder left as ${...}). */
    private static String get(String key) {
        String v = INFO.getProperty(key);
        return v == null || v.isBlank() || v.startsWith("${") ? null : v;
    }

    static String version() {
        String v = get("version");
        return v != null ? v : "dev";
    }

    /** The --version text: one fact per line, for a bug report or an audit. */
    static String describe() {
        String commit = get("commit");
        return "ssh-fleet " + version() + "\n"
                + "commit   " + (commit == null ? "unknown (built outside a git checkout)" : commit)
                + ("true".equals(get("dirty")) ? " plus uncommitted changes" : "") + "\n"
                + "built    " + orUnknown(get("built")) + " (the reproducible build timestamp)\n"
                + "java     " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor")
                + ", " + System.getProperty("java.home") + ")\n"
                + "bundled  MCP Java SDK " + orUnknown(get("mcp")) + ", Apache MINA SSHD " + orUnknown(get("sshd"))
                + ", BouncyCastle " + orUnknown(get("bouncycastle")) + ", Jackson " + orUnknown(get("jackson"))
                + ", Batik " + orUnknown(get("batik")) + "\n"
                + "inside   META-INF/sbom/ssh-fleet-sbom.json (CycloneDX), THIRD-PARTY.txt (licences)\n";
    }

    private static String orUnknown(String v) {
        return v == null ? "unknown" : v;
    }
}
