package io.github.sshfleet.shell;

import java.util.regex.Pattern;

/** Turns what a PTY shows into plain text: escape sequences dropped, carriage-return overwrites applied. */
final class TerminalText {

    /** CSI (colors, cursor moves), OSC (titles, up to BEL or ST), and two-byte ESC sequences. */
    private static final Pattern ESCAPES = Pattern.compile(
            "\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007\u001B]*(\u0007|\u001B\\\\)?|\u001B[@-Z\\\\-_]");

    private TerminalText() {}

    static String clean(String raw) {
        String s = ESCAPES.matcher(raw).replaceAll("");
        if (s.indexOf('\r') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (String line : s.split("\n", -1)) {
            String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            int cr = l.lastIndexOf('\r'); // a progress bar redrawn in place: the terminal shows the last version
            out.append(cr >= 0 ? l.substring(cr + 1) : l).append('\n');
        }
        out.setLength(out.length() - 1);
        return out.toString();
    }
}
