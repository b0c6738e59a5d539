package io.github.sshfleet.core;

/**
 * What a ProxyCommand may say, checked where it is read (ssh_config, proxy= in the hosts file; never a tool
 * argument): the tokens ssh expands for it, %h %p %r %n and %%. ssh/ProxyRelay expands and runs it.
 */
public final class ProxyCommand {

    private ProxyCommand() {}

    /** Why {@code template} cannot be used (an unknown or cut-off % token, empty), or null when it can. */
    public static String problem(String template) {
        if (template == null || template.isBlank()) {
            return "ProxyCommand is empty";
        }
        for (int i = 0; i < template.length(); i++) {
            if (template.charAt(i) == '%') {
                if (i + 1 >= template.length()) {
                    return "ProxyCommand ends in a lone '%'";
                }
                char t = template.charAt(++i);
                if ("hprn%".indexOf(t) < 0) {
                    return "ProxyCommand uses %" + t + "; ssh-fleet expands %h %p %r %n and %%";
                }
            }
        }
        return null;
    }
}
