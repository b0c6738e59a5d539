package io.github.sshfleet.mcp;

import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import java.util.Map;

/**
 * What the SDK asks of a JSON Schema validator, answered by {@link ArgumentCheck}: whether a tool's schema is one it
 * can check (when tools are registered), and whether a value conforms (the SDK's own input check is off, since
 * {@link ToolAdapter} checks every call; structured results would come here, and no tool declares one). Given to the
 * SDK so that it never builds its default validator (networknt, ~250 classes, ~100 ms of CPU at the first call).
 */
final class ToolInputValidator implements JsonSchemaValidator {

    @Override
    public ValidationResponse validate(Map<String, Object> schema, Object structuredContent) {
        String problem = ArgumentCheck.of("", schema).problem(structuredContent);
        return problem == null ? ValidationResponse.asValid(null) : ValidationResponse.asInvalid(problem);
    }

    @Override
    public ValidationResponse validateSchema(Map<String, Object> schema) {
        try {
            ArgumentCheck.of("", schema);
            return ValidationResponse.asValid(null);
        } catch (IllegalArgumentException e) {
            return ValidationResponse.asInvalid(e.getMessage());
        }
    }
}
