package io.github.sshfleet.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.config.ConfigLoader;
import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.fleet.MachineStore;

/** `tools:` in config.yaml switches tool groups off; the schemas' size is what an agent pays for. */
class ToolGroupsTest {

    @TempDir
    Path dir;

    FleetServices fleet(String yaml) throws Exception {
        Path cfg = Files.writeString(dir.resolve("config.yaml"), yaml);
        ConfigLoader.Loaded loaded = ConfigLoader.load(cfg, true, dir);
        assertFalse(loaded.hasErrors(), loaded.problems().toString());
        FleetConfig c = loaded.config();
        return FleetServices.create(c, new MachineStore(c, dir), dir);
    }

    static Set<String> names(FleetServices f) {
        return ToolServer.tools(f).stream().map(t -> t.spec().name()).collect(Collectors.toSet());
    }

    @Test
    void groupsCanBeSwitchedOffAsAListOrAMapping() throws Exception {
        try (FleetServices all = fleet("auth_file: hosts.tsv\n")) {
            assertEquals(ToolServer.groups(all).values().stream().mapToInt(List::size).sum(), names(all).size());
        }
        try (FleetServices some = fleet("tools:\n  render: false\n  tmux: off\n")) {
            Set<String> n = some.config().disabledTools();
            assertEquals(Set.of("render", "tmux"), n);
            assertFalse(names(some).contains("render_gif"));
            assertFalse(names(some).contains("tmux_new"));
            assertTrue(names(some).contains("exec") && names(some).contains("list_machines"));
        }
        try (FleetServices listed = fleet("tools: [exec]\n")) {
            assertEquals(Set.of("list_machines", "add_host", "reload_machines", "exec", "sudo_exec"), names(listed));
        }
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "tools: [exec, nope]\n");
        ConfigLoader.Loaded loaded = ConfigLoader.load(bad, true, dir);
        assertTrue(loaded.hasErrors() && loaded.problems().toString().contains("unknown group 'nope'"));
    }

    /** Prints the figure the README quotes; fails only if the tool list balloons. */
    @Test
    void toolListSizeInTokens() throws Exception {
        ObjectMapper json = new ObjectMapper();
        try (FleetServices all = fleet("auth_file: hosts.tsv\n")) {
            int total = 0;
            for (Map.Entry<String, List<ToolHandler>> g : ToolServer.groups(all).entrySet()) {
                int chars = 0;
                for (ToolHandler t : g.getValue()) {
                    ToolHandler.Spec s = t.spec();
                    chars += json.writeValueAsString(Map.of("name", s.name(), "description", s.description(),
                            "inputSchema", s.inputSchema())).length();
                }
                System.out.printf("tool group %-7s %2d tools  ~%5d tokens%n", g.getKey(), g.getValue().size(), chars / 4);
                total += chars;
            }
            System.out.printf("all tools: ~%d tokens (characters / 4)%n", total / 4);
            assertTrue(total / 4 < 20_000, "tools/list is " + total / 4 + " tokens");
        }
    }
}
