package io.github.sshfleet.config;

import java.util.List;
import java.util.Objects;

/**
 * One machine line of the hosts file: {@code name<TAB>address[:port]<TAB>user[:password][<TAB>key=...][<TAB>passphrase=...]}.
 *
 * @param port     0 when the line names none (the config's default_port applies)
 * @param password null for key-only machines
 * @param keyFile  null for password machines; already ~-expanded
 * @param device   "network" for routers/switches (commands go through an interactive CLI), else null
 * @param enable   enable-mode password for a network device ("" = the login password), null for none
 * @param jump     the machine to connect through (a bastion; ProxyJump), or null
 * @param line     1-based line number in the file, 0 for machines that never came from a file
 * @param groups   host groups from the line's {@code group=a,b} column (usable as {@code @a} in any host argument)
 * @param certFile a user certificate for the key ({@code cert=}, or CertificateFile), null for none given
 * @param proxyCommand a ProxyCommand that carries the connection ({@code proxy=}, or from ssh_config), or null
 */
public record HostEntry(
        String name,
        String address,
        int port,
        String username,
        String password,
        String keyFile,
        String passphrase,
        String device,
        String enable,
        String jump,
        int line,
        List<String> groups,
        String certFile,
        String proxyCommand) {

    public HostEntry(
            String name,
            String address,
            int port,
            String username,
            String password,
            String keyFile,
            String passphrase,
            int line) {
        this(
                name,
                address,
                port,
                username,
                password,
                keyFile,
                passphrase,
                null,
                null,
                null,
                line,
                List.of(),
                null,
                null);
    }

    public HostEntry(
            String name,
            String address,
            int port,
            String username,
            String password,
            String keyFile,
            String passphrase,
            String device,
            String enable,
            String jump,
            int line) {
        this(
                name,
                address,
                port,
                username,
                password,
                keyFile,
                passphrase,
                device,
                enable,
                jump,
                line,
                List.of(),
                null,
                null);
    }

    public HostEntry {
        Objects.requireNonNull(name);
        Objects.requireNonNull(address);
        Objects.requireNonNull(username);
        groups = List.copyOf(groups);
    }

    /** The line as it is written back to the hosts file. */
    public String toLine() {
        StringBuilder sb = new StringBuilder(name)
                .append('\t')
                .append(formatAddress(address, port))
                .append('\t')
                .append(username);
        if (password != null) {
            sb.append(':').append(password);
        }
        if (keyFile != null) {
            sb.append("\tkey=").append(keyFile);
        }
        if (certFile != null) {
            sb.append("\tcert=").append(certFile);
        }
        if (proxyCommand != null) {
            sb.append("\tproxy=").append(proxyCommand);
        }
        if (passphrase != null) {
            sb.append("\tpassphrase=").append(passphrase);
        }
        if (device != null) {
            sb.append("\tdevice=").append(device);
        }
        if (enable != null) {
            sb.append(enable.isEmpty() ? "\tenable" : "\tenable=" + enable);
        }
        if (jump != null) {
            sb.append("\tjump=").append(jump);
        }
        if (!groups.isEmpty()) {
            sb.append("\tgroup=").append(String.join(",", groups));
        }
        return sb.toString();
    }

    static String formatAddress(String address, int port) {
        if (port == 0) {
            return address;
        }
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }

    /** Never prints secrets: records are logged. */
    @Override
    public String toString() {
        return "HostEntry[" + name + " " + formatAddress(address, port) + " " + username
                + (password != null ? " password=***" : "") + (keyFile != null ? " key=" + keyFile : "")
                + (device != null ? " device=" + device : "") + (enable != null ? " enable=***" : "") + "]";
    }
}
