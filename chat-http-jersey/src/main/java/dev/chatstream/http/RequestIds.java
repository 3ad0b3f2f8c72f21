package dev.chatstream.http;

import jakarta.ws.rs.container.ContainerRequestContext;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Each request's id: the caller's {@code X-Request-Id} when it is short and plain (so nginx's ids carry
 * through), otherwise a new random one. It is returned as {@code X-Request-Id}, carried in {@code done} and
 * {@code error} data, and in every log line about the request.
 */
final class RequestIds {
    static final String PROPERTY = "chatstream.requestId";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private RequestIds() {
    }

    static String assign(String fromClient) {
        if (fromClient != null && SAFE.matcher(fromClient).matches()) {
            return fromClient;
        }
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The id {@link AuthFilter} gave this request; empty for a request it did not see. */
    static java.util.Optional<String> of(ContainerRequestContext request) {
        Object id = request.getProperty(PROPERTY);
        return id == null ? java.util.Optional.empty() : java.util.Optional.of(id.toString());
    }
}
