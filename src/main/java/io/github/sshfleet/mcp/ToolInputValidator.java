package io.github.sshfleet.mcp;

import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import java.util.Map;

/**
 * The SDK's JSON Schema validator, built when first needed instead of at start-up.
 * <p>
 * The SDK builds its validator (networknt, ~250 classes) while the server is constructed and checks every tool's
 * schema against the 2020-12 meta-schema on each start: together about a third of the time before the server can
 * answer. Our schemas are constants built by {@link Schema}, so the meta-schema check runs once, in a test
 * (ToolSchemasTest) rather than on every start; inputs and structured results are still validated on every call,
 * by the SDK's own validator, which {@link #prepare} builds in the background once the handshake is over.
 */
public final class ToolInputValidator implements JsonSchemaValidator {

    private volatile DefaultJsonSchemaValidator delegate;

    /** Builds the real validator now (idempotent); cheap to call again. */
    public JsonSchemaValidator prepare() {
        DefaultJsonSchemaValidator d = delegate;
        if (d == null) {
            synchronized (this) {
                d = delegate;
                if (d == null) {
                    d = new DefaultJsonSchemaValidator();
                    delegate = d;
                }
            }
        }
        return d;
    }

    @Override
    public ValidationResponse validate(Map<String, Object> schema, Object structuredContent) {
        return prepare().validate(schema, structuredContent);
    }

    /** Called by the SDK for every tool at start-up; see the class comment for where this check lives instead. */
    @Override
    public ValidationResponse validateSchema(Map<String, Object> schema) {
        return ValidationResponse.asValid(null);
    }
}
