package io.github.sshfleet.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshfleet.FleetServices;
import io.github.sshfleet.audit.AuditLog;
import io.github.sshfleet.config.ConfigLoader;
import io.github.sshfleet.config.FleetConfig;
import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.fleet.MachineStore;
import io.github.sshfleet.mcp.tools.ToolCatalog;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ArgumentCheck stands in for the SDK's JSON Schema validator on every call, so it is held to that validator
 * (networknt, still on the test classpath) on the same inputs: every tool's schema, and for each argument a pool of
 * values of every JSON type, missing required arguments, unknown ones and values outside an enum.
 */
class ArgumentCheckTest {

    @TempDir
    Path dir;

    /** Values of every JSON type as Jackson hands them over, including the edge cases of "integer". */
    private static final List<Object> POOL = Arrays.asList(
            "a",
            "",
            "5",
            "true",
            5,
            -1,
            5L,
            5.0,
            5.5,
            new java.math.BigInteger("123456789012345678901234567890"),
            true,
            null,
            List.of(),
            List.of("a"),
            List.of("a", 1),
            Map.of(),
            Map.of("k", "v"),
            Map.of("k", 1));

    @Test
    void agreesWithTheSdksValidatorOnEveryToolsSchema() throws Exception {
        DefaultJsonSchemaValidator sdk = new DefaultJsonSchemaValidator();
        int cases = 0;
        int refused = 0;
        for (McpSchema.Tool tool : tools()) {
            Map<String, Object> schema = tool.inputSchema();
            ArgumentCheck check = ArgumentCheck.of(tool.name(), schema);
            for (Map<String, Object> args : cases(schema)) {
                boolean theirs = sdk.validate(schema, args).valid();
                String ours = check.problem(args);
                assertEquals(theirs, ours == null, tool.name() + " " + args + ": ours says " + ours);
                cases++;
                refused += theirs ? 0 : 1;
            }
        }
        assertTrue(cases > 2000 && refused > 1000, cases + " cases, " + refused + " refused");
    }

    @Test
    void refusalsNameTheToolTheArgumentAndWhatItTakes() {
        ArgumentCheck exec = ArgumentCheck.of("exec", schema());
        assertEquals(
                "exec: 'sudo' is not an argument; the arguments are: host, command, timeout, format, env.",
                message(exec, Map.of("host", "web-1", "command", "true", "sudo", true)));
        assertEquals("exec: argument 'command' is required.", message(exec, Map.of("host", "web-1")));
        assertEquals(
                "exec: argument 'timeout' must be an integer, got 'soon' (string).",
                message(exec, Map.of("host", "w", "command", "c", "timeout", "soon")));
        assertEquals(
                "exec: argument 'timeout' must be an integer, got '2.5' (number).",
                message(exec, Map.of("host", "w", "command", "c", "timeout", 2.5)));
        assertEquals(
                "exec: argument 'format' must be one of png, svg, got 'jpg' (string).",
                message(exec, Map.of("host", "w", "command", "c", "format", "jpg")));
        assertEquals(
                "exec: argument 'host' must be a string or a list of strings, got '[a, 1]' (array).",
                message(exec, Map.of("host", List.of("a", 1), "command", "c")));
        assertEquals(
                "exec: argument 'env.PATH' must be a string, got a value of type number (not shown).",
                message(exec, Map.of("host", "w", "command", "c", "env", Map.of("PATH", 1))));
        exec.check(Map.of("host", List.of("a", "b"), "command", "c", "timeout", 5, "env", Map.of("A", "b")));
    }

    /** Before, a password given as a list was quoted back, and the refusal is logged at info. */
    @Test
    void aSecretAPayloadOrAnEnvValueIsNeverQuoted() {
        ArgumentCheck check = ArgumentCheck.of(
                "add_host",
                Schema.object()
                        .string("password", null, false)
                        .string("content", null, false)
                        .stringMap("env", null)
                        .build());
        for (Map<String, Object> args : List.<Map<String, Object>>of(
                Map.of("password", List.of("hunter2-secret")),
                Map.of("content", Map.of("k", "hunter2-secret")),
                Map.of("env", Map.of("TOKEN", List.of("hunter2-secret"))),
                Map.of("env", List.of("hunter2-secret")))) {
            String m = message(check, args);
            assertFalse(m.contains("hunter2"), m);
            assertTrue(m.contains("(not shown)"), m);
        }
    }

    @Test
    void aLongBadValueIsQuotedByItsPrefixOnly() {
        String huge = "x".repeat(10_000);
        String m = message(ArgumentCheck.of("exec", schema()), Map.of("host", "w", "command", "c", "timeout", huge));
        assertTrue(m.length() < 300 && m.contains("(10000 characters)"), m);
    }

    @Test
    void aSchemaKeywordItDoesNotReadIsRefusedWhenTheToolIsBuilt() {
        Map<String, Object> withMinimum = new LinkedHashMap<>(schema());
        withMinimum.put("properties", Map.of("timeout", Map.of("type", "integer", "minimum", 1)));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ArgumentCheck.of("exec", withMinimum));
        assertTrue(e.getMessage().contains("minimum"), e.getMessage());
        assertFalse(new ToolInputValidator().validateSchema(withMinimum).valid());
        assertTrue(new ToolInputValidator().validateSchema(schema()).valid());
    }

    @Test
    void aRefusedCallNeverReachesItsHandlerAndIsAnErrorResult() {
        AtomicInteger ran = new AtomicInteger();
        ToolHandler handler = new ToolHandler() {
            @Override
            public Spec spec() {
                return new Spec("exec", "runs", schema(), false, false, false);
            }

            @Override
            public McpSchema.CallToolResult call(Args args, Progress progress) {
                ran.incrementAndGet();
                return McpSchema.CallToolResult.builder().addTextContent("ran").build();
            }
        };
        var tool = ToolAdapter.adapt(handler, new Cancellations(), AuditLog.off());
        McpSchema.CallToolResult bad = tool.callHandler()
                .apply(
                        null,
                        McpSchema.CallToolRequest.builder("exec")
                                .arguments(Map.of("host", "w", "command", "c", "x", 1))
                                .build());
        assertTrue(bad.isError());
        assertTrue(((McpSchema.TextContent) bad.content().get(0)).text().contains("'x' is not an argument"));
        assertEquals(0, ran.get());
        McpSchema.CallToolResult good = tool.callHandler()
                .apply(
                        null,
                        McpSchema.CallToolRequest.builder("exec")
                                .arguments(Map.of("host", "w", "command", "c"))
                                .build());
        assertFalse(Boolean.TRUE.equals(good.isError()));
        assertEquals(1, ran.get());
    }

    private static String message(ArgumentCheck check, Map<String, Object> args) {
        return assertThrows(FleetException.class, () -> check.check(args)).getMessage();
    }

    private static Map<String, Object> schema() {
        return Schema.object()
                .hosts("host", "where")
                .string("command", "what", true)
                .integer("timeout", "seconds", 60)
                .choice("format", null, List.of("png", "svg"), "png")
                .stringMap("env", null)
                .build();
    }

    private List<McpSchema.Tool> tools() throws Exception {
        FleetConfig c = ConfigLoader.load(Map.of(), dir).config();
        try (FleetServices fleet = FleetServices.create(c, new MachineStore(c, dir), dir)) {
            return ToolCatalog.tools(fleet).stream()
                    .map(t -> ToolAdapter.adapt(t, new Cancellations(), AuditLog.off())
                            .tool())
                    .toList();
        }
    }

    /** Good arguments, then each argument given every value of the pool, each required one left out, one unknown. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> cases(Map<String, Object> schema) {
        Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
        List<String> required = (List<String>) schema.getOrDefault("required", List.of());
        Map<String, Object> good = new HashMap<>();
        for (String r : required) {
            good.put(r, sample((Map<String, Object>) properties.get(r)));
        }
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(good);
        for (Map.Entry<String, Object> p : properties.entrySet()) {
            Map<String, Object> prop = (Map<String, Object>) p.getValue();
            List<Object> values = new ArrayList<>(POOL);
            values.add(sample(prop));
            if (prop.get("enum") instanceof List<?> allowed) {
                values.addAll(allowed);
                values.add("not-" + allowed.get(0));
            }
            for (Object v : values) {
                Map<String, Object> args = new HashMap<>(good);
                args.put(p.getKey(), v);
                out.add(args);
            }
        }
        for (String r : required) {
            Map<String, Object> args = new HashMap<>(good);
            args.remove(r);
            out.add(args);
        }
        Map<String, Object> unknown = new HashMap<>(good);
        unknown.put("no_such_argument", "a");
        out.add(unknown);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object sample(Map<String, Object> prop) {
        if (prop.get("enum") instanceof List<?> allowed) {
            return allowed.get(0);
        }
        Object type = prop.get("type");
        if (type == null) {
            return "a"; // host's anyOf: a name
        }
        return switch ((String) type) {
            case "integer" -> 5;
            case "number" -> 0.5;
            case "boolean" -> true;
            case "array" -> List.of("a");
            case "object" -> Map.of("k", "v");
            default -> "a";
        };
    }
}
