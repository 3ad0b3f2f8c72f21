package dev.chatstream.http;

import dev.chatstream.core.ChatException;
import dev.chatstream.core.ConversationNotFoundException;
import dev.chatstream.core.InvalidRequestException;
import java.util.Map;

/**
 * A request answered with an error before any stream starts: an HTTP status, a stable code and a message a
 * person can act on, sent as {@code {"error": "...", "code": "..."}}. Never carries a library's message.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final transient Map<String, String> headers;

    ApiException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    ApiException(int status, String code, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    Map<String, String> headers() {
        return headers;
    }

    /**
     * A core failure as an answer: not found 404, invalid 400, retryable (the store is down) 503 with
     * {@code Retry-After}, anything else 500. The message is core's, written for people.
     */
    static ApiException of(ChatException e) {
        return switch (e) {
            case ConversationNotFoundException n -> new ApiException(404, e.code().code(), e.getMessage());
            case InvalidRequestException i -> new ApiException(400, e.code().code(), e.getMessage());
            default -> e.retryable()
                    ? new ApiException(503, e.code().code(), e.getMessage(), Map.of("Retry-After", "5"))
                    : new ApiException(500, e.code().code(), e.getMessage());
        };
    }

    static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", message, Map.of("WWW-Authenticate", "Bearer"));
    }
}
