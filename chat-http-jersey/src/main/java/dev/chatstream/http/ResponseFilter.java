package dev.chatstream.http;

import dev.chatstream.core.UserId;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.StreamingOutput;
import java.time.Duration;

/**
 * Adds {@code X-Request-Id} and CORS headers to every answer, words errors of OpenAI's front door ({@code /v1/}) in
 * OpenAI's shape, and writes the access log line for answers
 * that are not event streams (a stream logs itself when it ends).
 */
final class ResponseFilter implements ContainerResponseFilter {
    private final Cors cors;

    ResponseFilter(Cors cors) {
        this.cors = cors;
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        java.util.Optional<String> requestId = RequestIds.of(request);
        requestId.ifPresent(id -> response.getHeaders().putSingle("X-Request-Id", id));
        if (requestId.isPresent() && response.getStatus() >= 400 && response.getEntity() instanceof String body) {
            // an error answered by an exception mapper (404, 405...), which cannot see the request: name it too
            ErrorMappers.withRequestId(body, requestId.get()).ifPresent(response::setEntity);
        }
        if (response.getStatus() >= 400 && response.getEntity() instanceof String body
                && request.getUriInfo().getPath().startsWith("v1/")) {
            // OpenAI's clients read errors in OpenAI's shape (the request id is in X-Request-Id, where they look)
            ErrorMappers.inOpenAiShape(body, response.getStatus()).ifPresent(response::setEntity);
        }
        cors.decorate(request, response.getHeaders());
        if (response.getEntity() instanceof StreamingOutput || request.getProperty(LOGGED) != null) {
            return;
        }
        Object start = request.getProperty(AuthFilter.START);
        Duration took = start instanceof Long s ? Duration.ofNanos(System.nanoTime() - s) : Duration.ZERO;
        Object user = request.getProperty(AuthFilter.USER);
        AccessLog.line(requestId.orElse("-"), request.getMethod(), request.getUriInfo().getPath(),
                user instanceof UserId u ? u.value() : "-", response.getStatus(), took, 0,
                response.getStatus() < 400 ? "ok" : "refused");
    }

    static final String LOGGED = "chatstream.logged";
}
