package io.github.sshfleet.mcp.tools;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.config.ConfigLoader;
import io.github.sshfleet.config.HostEntry;
import io.github.sshfleet.config.HostsFile;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.MachineStore;
import io.github.sshfleet.mcp.Args;
import io.github.sshfleet.mcp.Progress;
import io.github.sshfleet.mcp.Results;
import io.github.sshfleet.mcp.Schema;
import io.github.sshfleet.mcp.ToolHandler;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** add_host: register a machine, permanently (hosts file) by default or for this process only. */
final class AddHostTool implements ToolHandler {

    private final FleetServices fleet;

    AddHostTool(FleetServices fleet) {
        this.fleet = fleet;
    }

    @Override
    public Spec spec() {
        return new Spec(
                "add_host",
                "Register a machine (password, or key_file on this side). permanent: appended to the hosts file (0600); false: kept until the server exits. A name or address in use is refused unless overwrite. Connects on first use.",
                Schema.object()
                        .string("hostname", "Letters, digits, . _ -", true)
                        .string("ip", "IP or DNS name.", true)
                        .string("username", null, true)
                        .string("password", "Also used for sudo.", false)
                        .string("key_file", "Private key here, e.g. ~/.ssh/id_ed25519.", false)
                        .integer("port", "Default: default_port (22).", null)
                        .bool("permanent", null, true)
                        .bool("overwrite", null, false)
                        .build(),
                false,
                false,
                false);
    }

    // Long on purpose: argument checks, then the hosts-file write and reload, each with its own error for the agent.
    @Override
    public CallToolResult call(Args args, Progress progress) {
        String name = args.nonBlank("hostname").strip();
        if (!HostsFile.isValidName(name)) {
            throw FleetException.badArgument("add_host: hostname " + FleetException.quote(name)
                    + " must be letters, digits, '.', '_' or '-' (at most 63), starting with a letter or digit.");
        }
        String ip = args.nonBlank("ip").strip();
        if (ip.matches(".*[\\s\\[\\]/].*")) {
            throw FleetException.badArgument("add_host: ip " + FleetException.quote(ip)
                    + " is not an address; give e.g. 10.0.0.5 or " + "db.example.com, and the port separately.");
        }
        String user = args.nonBlank("username").strip();
        if (user.contains(":") || user.matches(".*\\s.*")) {
            throw FleetException.badArgument("add_host: username must not contain ':' or whitespace.");
        }
        String password = args.string("password", null);
        String key = args.string("key_file", null);
        if ((password == null || password.isEmpty()) && (key == null || key.isBlank())) {
            throw FleetException.badArgument("add_host: give a password or a key_file for " + user + "@" + ip + ".");
        }
        if (password != null && (password.contains("\t") || password.contains("\n") || password.contains("\r"))) {
            throw FleetException.badArgument("add_host: the password cannot contain tabs or line breaks "
                    + "(the hosts file is tab-separated).");
        }
        int port = args.integer("port", 0, 1, 65535);
        boolean permanent = args.bool("permanent", true);
        boolean overwrite = args.bool("overwrite", false);
        String keyPath = key == null || key.isBlank()
                ? null
                : ConfigLoader.expand(key.strip(), fleet.machines().home())
                        .toAbsolutePath()
                        .toString();
        HostEntry entry = new HostEntry(
                name, ip, port, user, password == null || password.isEmpty() ? null : password, keyPath, null, 0);
        MachineStore.AddResult added;
        try {
            added = fleet.machines().add(entry, permanent, overwrite);
        } catch (IOException e) {
            throw new FleetException(
                    FleetException.Kind.IO,
                    "add_host: could not write the hosts file "
                            + fleet.config().authFile() + ": " + e.getMessage()
                            + ". Fix its directory/permissions, or pass "
                            + "permanent: false to keep the machine in memory only.");
        }
        var m = added.machine();
        String text = "Added machine " + m.name() + " (" + m.username() + "@" + m.address() + ", auth="
                + m.authKind() + ", "
                + (permanent ? "permanent: written to " + added.writtenTo() : "temporary: until the server exits") + ")"
                + (added.replaced().isEmpty() ? "" : "; it replaced " + String.join(", ", added.replaced()))
                + ". Use host='" + m.name() + "' in exec and other tools.";
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("name", m.name());
        structured.put("address", m.host());
        structured.put("port", m.port());
        structured.put("user", m.username());
        structured.put("auth", m.authKind());
        structured.put("permanent", permanent);
        structured.put("replaced", added.replaced());
        return Results.of(text, structured, false);
    }
}
