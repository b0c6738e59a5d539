package io.github.sshfleet.files;

import io.github.sshfleet.core.FleetException;
import java.util.regex.Pattern;

/** File modes and owners as an operator writes them ("0640", "root:adm"), checked before anything is touched. */
public final class Modes {

    private static final Pattern MODE = Pattern.compile("0?[0-7]{3}|[0-7]{4}");
    private static final Pattern OWNER = Pattern.compile(
            "[A-Za-z0-9_.][A-Za-z0-9_.-]*(:[A-Za-z0-9_.][A-Za-z0-9_.-]*)?" + "|:[A-Za-z0-9_.][A-Za-z0-9_.-]*");

    private Modes() {}

    /** "0640" or "640" (or "4755") as a normalized four-digit string; a clear error otherwise. */
    public static String checkMode(String mode, String argName) {
        String m = mode.strip();
        if (!MODE.matcher(m).matches()) {
            throw FleetException.badArgument("'" + argName + "' must be an octal file mode like \"0644\" or \"0600\", "
                    + "got \"" + mode + "\".");
        }
        return m.length() == 3 ? "0" + m : m;
    }

    /** "user", "user:group" or ":group"; names only (no spaces, no shell characters). */
    public static String checkOwner(String owner) {
        String o = owner.strip();
        if (!OWNER.matcher(o).matches()) {
            throw FleetException.badArgument(
                    "'owner' must look like \"root\", \"root:root\" or \"www-data:adm\", got \"" + owner + "\".");
        }
        return o;
    }

    static int parse(String mode) {
        return Integer.parseInt(mode, 8);
    }

    static String format(int perms) {
        return String.format("%04o", perms & 07777);
    }
}
