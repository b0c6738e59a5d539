package io.github.sshfleet.render;

/** Catppuccin Mocha, as the reference draws it: window, chrome, text, prompt and the 16 terminal colours. */
final class Theme {

    private Theme() {}

    static final String WINDOW = "#1e1e2e";
    static final String TITLE_BAR = "#181825";
    static final String CRUST = "#11111b";
    static final String TEXT = "#cdd6f4";
    static final String DIM = "#6c7086";
    static final String USER_HOST = "#a6e3a1";
    static final String PATH = "#89b4fa";
    static final String STDERR = "#f38ba8";
    static final String SUDO = "#f9e2af";
    static final String CLOSE = "#ff5f57";
    static final String MINIMIZE = "#febc2e";
    static final String ZOOM = "#28c840";

    /** ANSI colours 0-15 (normal, then bright) in Catppuccin Mocha's terminal palette. */
    static final String[] ANSI = {
        "#45475a", "#f38ba8", "#a6e3a1", "#f9e2af", "#89b4fa", "#f5c2e7", "#94e2d5", "#bac2de",
        "#585b70", "#f38ba8", "#a6e3a1", "#f9e2af", "#89b4fa", "#f5c2e7", "#94e2d5", "#a6adc8",
    };

    /** xterm's 256-colour cube and grey ramp above the 16 named colours. */
    static String xterm256(int n) {
        if (n < 16) {
            return ANSI[n];
        }
        if (n < 232) {
            int i = n - 16;
            int[] steps = {0, 95, 135, 175, 215, 255};
            return rgb(steps[i / 36], steps[(i / 6) % 6], steps[i % 6]);
        }
        int g = 8 + (n - 232) * 10;
        return rgb(g, g, g);
    }

    static String rgb(int r, int g, int b) {
        return String.format("#%02x%02x%02x", clamp(r), clamp(g), clamp(b));
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
