package dev.chatstream.http;

import dev.chatstream.core.AccessTokens;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.UserId;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/**
 * Runs first on every request: gives it an id, answers CORS preflights, and on every {@code /api/} route
 * but {@code /api/health}, and every {@code /v1/} route (OpenAI's front door), requires {@code Authorization: Bearer <token>}, resolved to a user through
 * {@link AccessTokens}. A token in the query string is refused (URLs end up in logs and histories). The
 * token is never logged or echoed.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION)
final class AuthFilter implements ContainerRequestFilter {
    static final String USER = "chatstream.user";
    static final String START = "chatstream.start";

    private final AccessTokens tokens;
    private final Cors cors;
    private final RateLimiter writes;

    AuthFilter(AccessTokens tokens, Cors cors, RateLimiter writes) {
        this.tokens = tokens;
        this.cors = cors;
        this.writes = writes;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        request.setProperty(START, System.nanoTime());
        String id = RequestIds.assign(request.getHeaderString("X-Request-Id"));
        request.setProperty(RequestIds.PROPERTY, id);
        if (cors.isPreflight(request)) {
            request.abortWith(cors.preflight(request));
            return;
        }
        String path = request.getUriInfo().getPath();
        if (!(path.startsWith("api/") || path.startsWith("v1/")) || path.equals("api/health")
                || path.equals("api/health/")) {
            return;
        }
        boolean tokenInUrl = request.getUriInfo().getQueryParameters().keySet().stream()
                .anyMatch(k -> k.equalsIgnoreCase("token") || k.equalsIgnoreCase("access_token"));
        if (tokenInUrl) {
            abort(request, new ApiException(400, "token_in_url", "Send the token in the Authorization header "
                    + "(Authorization: Bearer <token>), never in the URL: URLs end up in logs"));
            return;
        }
        String header = request.getHeaderString("Authorization");
        if (header == null || header.isBlank()) {
            abort(request, ApiException.unauthorized(
                    "Sign in: send your API token as Authorization: Bearer <token>"));
            return;
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            abort(request, ApiException.unauthorized(
                    "The Authorization header must be Bearer <token>"));
            return;
        }
        Optional<UserId> user;
        try {
            user = tokens.authenticate(header.substring(7).strip());
        } catch (ChatException | IllegalStateException e) {
            abort(request, new ApiException(503, "auth_unavailable",
                    "Tokens cannot be checked right now; try again in a moment"));
            return;
        }
        if (user.isEmpty()) {
            abort(request, ApiException.unauthorized(
                    "This token is not valid (unknown or revoked); ask for a new one"));
            return;
        }
        request.setProperty(USER, user.get());
        if (changes(request.getMethod(), path)) {
            java.time.Duration wait = writes.acquire(user.get());
            if (!wait.isZero()) { // one user's loop of changes must not starve everyone's store
                long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
                abort(request, new ApiException(429, "rate_limited", "Too many changes; wait " + seconds
                        + " s before the next one", java.util.Map.of("Retry-After", Long.toString(seconds))));
                return;
            }
        }
        if (takesJson(request.getMethod(), path) && !json(request)) {
            // Checked here, before Jersey reads the entity: for form bodies it answers 400 on its own.
            abort(request, new ApiException(415, "unsupported_media_type",
                    "Send the body as JSON with Content-Type: application/json"));
        }
    }

    /** Ollama's door's POSTs: a chat (the chat rate counts it) and two reads. */
    private static final java.util.Set<String> OLLAMA_POSTS = java.util.Set.of("api/chat", "api/show", "api/pull");
    /** The AI SDK's chat: a chat, which the chat rate counts. */
    private static final String UI_CHAT = "api/ui/chat";

    /**
     * A change other than a chat (which has its own limit): memories, context, conversations, action decisions. A
     * reply's Stop is none: it only ends work, it is cheap, and a user who presses it must never wait.
     */
    private static boolean changes(String method, String path) {
        return switch (method) {
            case "POST", "PUT", "DELETE", "PATCH" -> !path.startsWith("api/chat/stream")
                    && !path.startsWith("v1/chat/completions") && !OLLAMA_POSTS.contains(path)
                    && !path.equals(UI_CHAT) && !(path.startsWith("api/chat/turns/") && path.endsWith("/stop"));
            default -> false;
        };
    }

    /** The routes that read a JSON body (other methods on them get 405 from Jersey, not 415 from here). */
    private static boolean takesJson(String method, String path) {
        return switch (method) {
            case "POST" -> path.startsWith("api/chat/stream") || path.startsWith("api/memories")
                    || path.startsWith("v1/chat/completions") || OLLAMA_POSTS.contains(path)
                    || path.equals(UI_CHAT);
            case "PUT" -> path.startsWith("api/context");
            case "PATCH" -> path.startsWith("api/conversations");
            default -> false;
        };
    }

    /** The user this filter authenticated the request as. */
    static UserId user(ContainerRequestContext request) {
        return (UserId) request.getProperty(USER);
    }

    private static boolean json(ContainerRequestContext request) {
        try {
            MediaType type = request.getMediaType();
            return type != null && type.isCompatible(MediaType.APPLICATION_JSON_TYPE);
        } catch (RuntimeException twoTypes) { // Jersey refuses several Content-Type headers
            return false;
        }
    }

    private static void abort(ContainerRequestContext request, ApiException e) {
        Response r = ErrorMappers.toResponse(e, RequestIds.of(request));
        request.abortWith(r);
    }
}
