package io.github.sshfleet.mcp;

import io.github.sshfleet.audit.AuditLog;
import io.github.sshfleet.core.FleetException;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only place a {@link ToolHandler} becomes an SDK tool, and the only place failures become results: expected
 * failures are isError results in the handler's words; anything else is a bug, logged with its stack trace and
 * reported as an isError result, so one bad call never takes the server down or leaves the client hanging.
 */
public final class ToolAdapter {

    private static final Logger log = LoggerFactory.getLogger(ToolAdapter.class);

    private ToolAdapter() {}

    public static SyncToolSpecification adapt(ToolHandler handler, Cancellations cancellations, AuditLog audit) {
        ToolHandler.Spec spec = handler.spec();
        // No title: clients show the name when there is none, and a title repeats it in other words. Hints equal
        // to the protocol's defaults (destructive, not idempotent, open world) are left out, and so is an empty
        // annotations object: every byte here costs every agent context.
        Boolean readOnly = spec.readOnly() ? Boolean.TRUE : null;
        Boolean destructive = spec.readOnly() || spec.destructive() ? null : Boolean.FALSE;
        Boolean idempotent = spec.idempotent() ? Boolean.TRUE : null;
        McpSchema.Tool.Builder tool =
                McpSchema.Tool.builder(spec.name(), spec.inputSchema()).description(spec.description());
        if (readOnly != null || destructive != null || idempotent != null) {
            tool.annotations(new ToolAnnotations(null, readOnly, destructive, idempotent, null, null));
        }
        ArgumentCheck check = ArgumentCheck.of(spec.name(), spec.inputSchema()); // once: a bad schema fails the start
        return SyncToolSpecification.builder()
                .tool(tool.build())
                .callHandler((exchange, request) ->
                        call(handler, spec.name(), check, exchange, request, cancellations, audit))
                .build();
    }

    static CallToolResult call(
            ToolHandler handler,
            String name,
            ArgumentCheck check,
            io.modelcontextprotocol.server.McpSyncServerExchange exchange,
            McpSchema.CallToolRequest request,
            Cancellations cancellations,
            AuditLog audit) {
        long start = System.nanoTime();
        Object requestId = request.meta() == null ? null : request.meta().get(Cancellations.REQUEST_ID);
        Cancellations.Cancellation cancellation = cancellations.register(requestId);
        long call = 0;
        CallToolResult result = null;
        FleetException failed = null;
        Progress progress = null;
        try {
            call = audit.start(name, client(exchange), request.arguments()); // before anything can run
            progress = Progress.of(exchange, request.meta(), cancellation);
            check.check(request.arguments());
            result = handler.call(new Args(name, request.arguments()), progress);
            log.debug("{} done in {} ms", name, (System.nanoTime() - start) / 1_000_000);
            return result;
        } catch (FleetException e) {
            log.info("{}: {}", name, FleetException.bounded(e.getMessage()));
            failed = e;
            result = Results.error(e);
            return result;
        } catch (RuntimeException | Error e) {
            log.error("{} failed with an unexpected error", name, e);
            failed = new FleetException(
                    FleetException.Kind.INTERNAL, e.getClass().getSimpleName());
            result = CallToolResult.builder()
                    .addTextContent("Error: internal error in ssh-fleet's " + name + " ("
                            + e.getClass().getSimpleName()
                            + (e.getMessage() != null ? ": " + FleetException.bounded(e.getMessage()) : "") + "). The "
                            + "server is still running; the details are in its log (stderr). Check what the call may "
                            + "already have changed before retrying it.")
                    .isError(true)
                    .build();
            return result;
        } finally {
            cancellations.done(requestId);
            if (call != 0) {
                audit.end(
                        call,
                        new AuditLog.Ending(
                                (System.nanoTime() - start) / 1_000_000,
                                result == null || Boolean.TRUE.equals(result.isError()),
                                failed == null ? null : failed.kind().name().toLowerCase(java.util.Locale.ROOT),
                                failed == null ? null : failed.getMessage(),
                                result == null ? null : result.structuredContent(),
                                progress == null || progress.asked() == null
                                        ? null
                                        : progress.asked().name().toLowerCase(java.util.Locale.ROOT),
                                textBytes(result)));
            }
        }
    }

    private static long textBytes(CallToolResult result) {
        if (result == null || result.content() == null) {
            return 0;
        }
        long n = 0;
        for (McpSchema.Content c : result.content()) {
            if (c instanceof McpSchema.TextContent t && t.text() != null) {
                n += t.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            }
        }
        return n;
    }

    /** "name/version" from the client's initialize, for the audit trail. */
    private static String client(io.modelcontextprotocol.server.McpSyncServerExchange exchange) {
        McpSchema.Implementation info = exchange == null ? null : exchange.getClientInfo();
        return info == null ? null : info.name() + "/" + info.version();
    }
}
