package dev.chatstream.http;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** CORS for a frontend served elsewhere: off unless origins are configured; then only those origins. */
final class Cors {
    private final List<String> origins;

    Cors(List<String> origins) {
        this.origins = List.copyOf(origins);
    }

    boolean isPreflight(ContainerRequestContext request) {
        return !origins.isEmpty() && "OPTIONS".equals(request.getMethod())
                && request.getHeaderString("Origin") != null
                && request.getHeaderString("Access-Control-Request-Method") != null;
    }

    Response preflight(ContainerRequestContext request) {
        String origin = request.getHeaderString("Origin");
        if (!allowed(origin)) {
            return Response.status(403).build();
        }
        return Response.noContent()
                .header("Access-Control-Allow-Origin", origin)
                .header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
                .header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id, Last-Event-ID, Idempotency-Key")
                .header("Access-Control-Max-Age", "600")
                .header("Vary", "Origin")
                .build();
    }

    /** Adds the CORS headers to an answer for an allowed origin. */
    void decorate(ContainerRequestContext request, MultivaluedMap<String, Object> headers) {
        String origin = request.getHeaderString("Origin");
        if (origin != null && allowed(origin)) {
            headers.putSingle("Access-Control-Allow-Origin", origin);
            headers.putSingle("Access-Control-Expose-Headers", "X-Request-Id, Retry-After, X-Turn-Id, X-Conversation-Id");
            headers.add("Vary", "Origin");
        }
    }

    private boolean allowed(String origin) {
        return origins.contains("*") || origins.contains(origin);
    }
}
