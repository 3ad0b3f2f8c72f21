package dev.chatstream.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.TransientException;
import dev.chatstream.core.UpstreamCall;
import dev.chatstream.core.UpstreamException;
import dev.chatstream.core.Watchdog;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns what went wrong talking to an OpenAI-compatible server into a {@link ChatException} with a stable code and
 * a message a person can act on. The server's own message ({@code {"error": {"message": ...}}}, the shape OpenAI,
 * vLLM, llama-server, LM Studio and Ollama's {@code /v1} share) is quoted, shortened, never passed on as reply
 * text; the API key never appears.
 */
final class OpenAiErrors implements UpstreamCall.Failures {
    private static final int MAX_QUOTE = 300;
    /** The wait suggested when the server says it is busy without a {@code Retry-After}. */
    static final Duration BUSY_BACKOFF = Duration.ofSeconds(5);

    private final URI baseUrl;
    private final ObjectMapper mapper;
    private final Duration connectTimeout;
    private final int maxLineBytes;
    /** The configured model, named in the errors of short requests (which name none of their own). */
    private final String model;

    OpenAiErrors(URI baseUrl, ObjectMapper mapper, Duration connectTimeout, int maxLineBytes, String model) {
        this.model = model;
        this.baseUrl = baseUrl;
        this.mapper = mapper;
        this.connectTimeout = connectTimeout;
        this.maxLineBytes = maxLineBytes;
    }

    ChatException unreachable(Throwable cause) {
        return new TransientException(ErrorCode.LLM_UNAVAILABLE, "The OpenAI-compatible server at " + baseUrl
                + " is not reachable — is it running? (or set openai.url, CHATSTREAM_OPENAI_URL, to where it runs)",
                cause);
    }

    @Override
    public ChatException connectionBroke(Throwable cause) {
        return new TransientException(ErrorCode.LLM_UNAVAILABLE, "The connection to the server at " + baseUrl
                + " broke before the reply was complete; try again", cause);
    }

    /** For an exception thrown while connecting or sending. */
    @Override
    public ChatException sending(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return new TransientException(ErrorCode.LLM_TIMEOUT, "The server at " + baseUrl
                    + " did not accept a connection within " + seconds(connectTimeout) + " — is it running?", e);
        }
        if (e instanceof ConnectException || e.getCause() instanceof ConnectException
                || e instanceof UnknownHostException || e.getCause() instanceof UnknownHostException) {
            return unreachable(e);
        }
        return connectionBroke(e);
    }

    /** For a short request ({@code /v1/models}) that got no answer in time. */
    @Override
    public ChatException noAnswer(Duration limit, Throwable cause) {
        return new TransientException(ErrorCode.LLM_TIMEOUT, "The server at " + baseUrl + " did not answer within "
                + seconds(limit) + " — is it running, and not overloaded?", cause);
    }

    /**
     * For a response from {@code endpoint} whose status is not 200; {@code body} is its (bounded) text. A missing
     * model is a 404 with a JSON error (OpenAI: code {@code model_not_found}; vLLM: "The model `x` does not
     * exist."; Ollama's {@code /v1}: "model \"x\" not found"), while a 404 that is not JSON is a path nothing serves
     * (a base URL without {@code /v1}, or a proxy's). llama-server answers 503 "Loading model" while it loads.
     */
    @Override
    public ChatException status(int status, String body, URI endpoint, Optional<String> retryAfter) {
        return status(status, body, model, endpoint, retryAfter);
    }

    ChatException status(int status, String body, String model, URI endpoint, Optional<String> retryAfter) {
        String said = quote(body);
        String named = model.isEmpty() ? "" : " \"" + model + "\"";
        return switch (status) {
            case 404 -> jsonError(body)
                    ? new UpstreamException(ErrorCode.MODEL_NOT_FOUND, "The server at " + baseUrl + " has no model"
                            + named + ": set openai.model to one it lists at " + baseUrl + "/models (the server said: "
                            + said + ")")
                    : new UpstreamException(ErrorCode.LLM_FAILED, "Nothing at " + endpoint
                            + " answers as an OpenAI-compatible server (HTTP 404, \"" + shorten(body) + "\"): check "
                            + "openai.url; it is the API's base, ending in /v1, such as http://127.0.0.1:8080/v1");
            case 401 -> new UpstreamException(ErrorCode.LLM_REJECTED, "The server at " + baseUrl
                    + " refused the API key (HTTP 401): set openai.api.key (CHATSTREAM_OPENAI_API_KEY) to a key it "
                    + "accepts (the server said: " + said + ")");
            case 403 -> new UpstreamException(ErrorCode.LLM_REJECTED, "The server at " + baseUrl
                    + " does not allow this key to use model" + named + " (HTTP 403; the server said: " + said + ")");
            case 400, 413, 422 -> new UpstreamException(ErrorCode.LLM_REJECTED, "The server at " + baseUrl
                    + " rejected the request for model" + named + " (HTTP " + status + "): " + said);
            case 429 -> new TransientException(ErrorCode.LLM_BUSY, "The server at " + baseUrl
                    + " is rate-limiting requests (HTTP 429: " + said + "); try again in a moment",
                    retryAfter(retryAfter));
            case 503 -> new TransientException(ErrorCode.LLM_BUSY, "The server at " + baseUrl + " is busy or still "
                    + "loading its model (HTTP 503: " + said + "); try again in a moment", retryAfter(retryAfter));
            case 502, 504 -> new TransientException(ErrorCode.LLM_UNAVAILABLE, "A proxy in front of the server at "
                    + baseUrl + " could not reach it (HTTP " + status + ": " + said + "); try again in a moment",
                    retryAfter(retryAfter));
            default -> new UpstreamException(ErrorCode.LLM_FAILED, "The server at " + baseUrl
                    + " failed with HTTP status " + status + ": " + said);
        };
    }

    /** An error sent in the stream, after status 200. */
    ChatException inStream(String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("context") && (lower.contains("exceed") || lower.contains("too long"))) {
            return new UpstreamException(ErrorCode.LLM_REJECTED, "The server at " + baseUrl
                    + " stopped: the prompt does not fit the model's context (" + shorten(message) + ")");
        }
        return new UpstreamException(ErrorCode.LLM_FAILED, "The server at " + baseUrl + " failed while answering: "
                + shorten(message));
    }

    ChatException malformed(Throwable cause) {
        return new TransientException(ErrorCode.LLM_PROTOCOL, "The server at " + baseUrl
                + " sent an event that is not a valid chat-completion chunk; the reply was stopped", cause);
    }

    ChatException notEventStream(String contentType) {
        return new TransientException(ErrorCode.LLM_PROTOCOL, "The server at " + baseUrl
                + " answered a streaming request with " + (contentType.isEmpty() ? "no Content-Type" : contentType)
                + " instead of text/event-stream; is it an OpenAI-compatible server?");
    }

    @Override
    public ChatException lineTooLong() {
        return new TransientException(ErrorCode.LLM_PROTOCOL, "The server at " + baseUrl + " sent a line longer than "
                + maxLineBytes + " bytes; the reply was stopped");
    }

    ChatException truncated() {
        return new TransientException(ErrorCode.LLM_PROTOCOL, "The reply from " + baseUrl
                + " ended before it was complete (no finish_reason, no data: [DONE]); try again");
    }

    @Override
    public ChatException timeout(Watchdog.Expiry expiry, Duration limit) {
        String what = switch (expiry) {
            case FIRST_TOKEN -> "The server at " + baseUrl + " sent nothing within " + seconds(limit)
                    + " (the model may still be loading; raise openai.first.token.seconds for big models)";
            case IDLE -> "The server at " + baseUrl + " went silent for " + seconds(limit)
                    + " in the middle of the reply";
            case OVERALL -> "The reply from " + baseUrl + " took longer than " + seconds(limit) + " in all";
        };
        return new TransientException(ErrorCode.LLM_TIMEOUT, what + "; try again");
    }

    private boolean jsonError(String body) {
        try {
            JsonNode node = mapper.readTree(body);
            return node != null && (node.has("error") || "error".equals(node.path("object").asText()));
        } catch (IOException notJson) {
            return false;
        }
    }

    private String quote(String body) {
        try {
            JsonNode node = mapper.readTree(body);
            if (node != null) {
                JsonNode error = node.has("error") ? node.get("error") : node;
                if (error.isTextual()) {
                    return shorten(error.asText());
                }
                if (error.path("message").isTextual()) {
                    return shorten(error.path("message").asText());
                }
            }
        } catch (IOException notJson) {
            // quote the raw text
        }
        return body.isBlank() ? "(no details)" : shorten(body);
    }

    static String shorten(String text) {
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_QUOTE ? oneLine : oneLine.substring(0, MAX_QUOTE) + "…";
    }

    /** The server's {@code Retry-After} in seconds when it sent one, else {@link #BUSY_BACKOFF}. */
    private static Duration retryAfter(Optional<String> header) {
        try {
            return header.map(String::strip).map(Long::parseLong).filter(s -> s > 0 && s < 3600)
                    .map(Duration::ofSeconds).orElse(BUSY_BACKOFF);
        } catch (NumberFormatException httpDate) {
            return BUSY_BACKOFF;
        }
    }

    static String seconds(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
