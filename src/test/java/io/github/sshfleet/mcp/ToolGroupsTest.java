package io.github.sshfleet.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sshfleet.FleetServices;
import io.github.sshfleet.config.ConfigLoader;
import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.fleet.MachineStore;
import io.github.sshfleet.mcp.tools.ToolCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `tools:` in config.yaml switches tool groups off; the schemas' size is what an agent pays for. */
class ToolGroupsTest {

    @TempDir
    Path dir;

    FleetServices fleet(String yaml) throws Exception {
        Files.writeString(dir.resolve("hosts.tsv"), "");
        Path cfg = Files.writeString(dir.resolve("config.yaml"), "auth_file: hosts.tsv\n" + yaml);
        ConfigLoader.Loaded loaded = ConfigLoader.load(cfg, true, dir);
        assertFalse(loaded.hasErrors(), loaded.problems().toString());
        FleetConfig c = loaded.config();
        return FleetServices.create(c, new MachineStore(c, dir), dir);
    }

    static Set<String> names(FleetServices f) {
        return ToolCatalog.tools(f).stream().map(t -> t.spec().name()).collect(Collectors.toSet());
    }

    @Test
    void groupsCanBeSwitchedOffAsAListOrAMapping() throws Exception {
        try (FleetServices all = fleet("")) {
            assertEquals(
                    ToolCatalog.groups(all).values().stream()
                            .mapToInt(List::size)
                            .sum(),
                    names(all).size());
        }
        try (FleetServices some = fleet("tools:\n  render: false\n  tmux: off\n")) {
            Set<String> n = some.config().disabledTools();
            assertEquals(Set.of("render", "tmux"), n);
            assertFalse(names(some).contains("render_gif"));
            assertFalse(names(some).contains("tmux_new"));
            assertTrue(names(some).contains("exec") && names(some).contains("list_machines"));
        }
        try (FleetServices listed = fleet("tools: [exec]\n")) {
            assertEquals(
                    Set.of(
                            "list_machines",
                            "add_host",
                            "reload_machines",
                            "disconnect",
                            "exec",
                            "sudo_exec",
                            "exec_readonly"),
                    names(listed));
        }
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "tools: [exec, nope]\n");
        ConfigLoader.Loaded loaded = ConfigLoader.load(bad, true, dir);
        assertTrue(loaded.hasErrors() && loaded.problems().toString().contains("unknown group 'nope'"));
    }

    /** Prints the figure the README quotes; fails only if the tool list balloons. */
    /** The README's budget table, regenerated from the schemas: a stale table fails this test with the fresh one. */
    @Test
    void toolListSizeInTokensMatchesTheReadmeTable() throws Exception {
        ObjectMapper json = new ObjectMapper();
        StringBuilder table = new StringBuilder("| group | tools | ~tokens |\n|---|---|---|\n");
        try (FleetServices all = fleet("")) {
            int total = 0;
            int count = 0;
            for (Map.Entry<String, List<ToolHandler>> g :
                    ToolCatalog.groups(all).entrySet()) {
                int chars = 0;
                for (ToolHandler t : g.getValue()) {
                    ToolHandler.Spec s = t.spec();
                    // Descriptions name the working directory; measured as a typical one, so the table does not
                    // depend on where the tests run.
                    String description =
                            s.description().replace(Path.of("").toAbsolutePath().toString(), "/home/user/project");
                    chars += json.writeValueAsString(Map.of(
                                    "name", s.name(), "description", description, "inputSchema", s.inputSchema()))
                            .length();
                }
                table.append("| ")
                        .append(g.getKey())
                        .append(" | ")
                        .append(g.getValue().stream().map(t -> t.spec().name()).collect(Collectors.joining(", ")))
                        .append(" | ")
                        .append(String.format(java.util.Locale.ROOT, "%,d", round(chars / 4)))
                        .append(" |\n");
                total += chars;
                count += g.getValue().size();
            }
            table.append("| all | ")
                    .append(count)
                    .append(" tools | ")
                    .append(String.format(java.util.Locale.ROOT, "%,d", round(total / 4)))
                    .append(" |\n");
            assertTrue(total / 4 < 20_000, "tools/list is " + total / 4 + " tokens");
        }
        Path readme = Path.of("README.md");
        String text = Files.readString(readme);
        String start = "<!-- tool-budget:start -->\n";
        String end = "<!-- tool-budget:end -->";
        int i = text.indexOf(start);
        int j = text.indexOf(end);
        assertTrue(i >= 0 && j > i, "README.md has the tool budget markers");
        String current = text.substring(i + start.length(), j);
        if (!current.equals(table.toString()) && Boolean.getBoolean("sshfleet.updateReadme")) {
            Files.writeString(readme, text.substring(0, i + start.length()) + table + text.substring(j));
            return;
        }
        assertEquals(
                table.toString(),
                current,
                "README.md's tool budget table is stale; regenerate it with "
                        + "./mvnw test -Dtest=ToolGroupsTest -Dsshfleet.updateReadme=true");
    }

    /** Rounded to tens: the table should not change for a word. */
    private static int round(int tokens) {
        return (tokens + 5) / 10 * 10;
    }
}
