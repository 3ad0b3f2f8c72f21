package dev.chatstream.ollama;

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
import java.util.Optional;

/**
 * Turns what went wrong talking to Ollama into a {@link ChatException} with a stable code and a message a
 * person can act on. Ollama's own error text is quoted (shortened), never passed on as reply text.
 */
final class OllamaErrors implements UpstreamCall.Failures {
    private static final int MAX_QUOTE = 300;

    private final URI baseUrl;
    private final ObjectMapper mapper;
    private final Duration connectTimeout;
    private final int maxLineBytes;
    /** The configured model, named in the errors of short requests (which name none of their own). */
    private final String model;

    OllamaErrors(URI baseUrl, ObjectMapper mapper, Duration connectTimeout, int maxLineBytes, String model) {
        this.model = model;
        this.baseUrl = baseUrl;
        this.mapper = mapper;
        this.connectTimeout = connectTimeout;
        this.maxLineBytes = maxLineBytes;
    }

    ChatException unreachable(Throwable cause) {
        return new TransientException(ErrorCode.LLM_UNAVAILABLE,
                "Ollama is not reachable at " + baseUrl + " — is it running? (start it with `ollama serve`, or set "
                        + "ollama.url, CHATSTREAM_OLLAMA_URL, to where it runs)", cause);
    }

    @Override
    public ChatException connectionBroke(Throwable cause) {
        return new TransientException(ErrorCode.LLM_UNAVAILABLE,
                "The connection to Ollama at " + baseUrl + " broke before the reply was complete; try again", cause);
    }

    /** For an exception thrown while connecting or sending. */
    @Override
    public ChatException sending(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return new TransientException(ErrorCode.LLM_TIMEOUT, "Ollama at " + baseUrl
                    + " did not accept a connection within " + seconds(connectTimeout) + " — is it running?", e);
        }
        if (e instanceof ConnectException || e.getCause() instanceof ConnectException
                || e instanceof UnknownHostException || e.getCause() instanceof UnknownHostException) {
            return unreachable(e);
        }
        return connectionBroke(e);
    }

    /** For a short request ({@code /api/tags}, {@code /api/version}) that got no answer in time. */
    @Override
    public ChatException noAnswer(Duration limit, Throwable cause) {
        return new TransientException(ErrorCode.LLM_TIMEOUT, "Ollama at " + baseUrl + " did not answer within "
                + seconds(limit) + " — is it running, and not overloaded?", cause);
    }

    /**
     * The wait suggested when Ollama says it is busy: Ollama never sends {@code Retry-After} (its 503 means
     * its queue, {@code OLLAMA_MAX_QUEUE}, is full), so chatstream suggests a few seconds of its own.
     */
    static final Duration BUSY_BACKOFF = Duration.ofSeconds(5);

    /**
     * For a response from {@code endpoint} whose status is not 200; {@code body} is its (bounded) text. Follows
     * ollama/ollama {@code server/routes.go}: a missing model is 404 with JSON {@code {"error": "model 'x' not
     * found"}}, while a path nothing serves is gin's plain-text {@code 404 page not found} (a wrong
     * {@code ollama.url}); cloud models add 401 (sign in), 403, 429 and 502.
     */
    @Override
    public ChatException status(int status, String body, URI endpoint, Optional<String> retryAfter) {
        return status(status, body, model, endpoint, retryAfter);
    }

    ChatException status(int status, String body, String model, URI endpoint, Optional<String> retryAfter) {
        String said = quote(body);
        return switch (status) {
            case 404 -> jsonError(body)
                    ? new UpstreamException(ErrorCode.MODEL_NOT_FOUND, "The model \"" + model
                            + "\" is not installed on Ollama at " + baseUrl + ": run `ollama pull " + model + "` ("
                            + "Ollama said: " + said + ")")
                    : new UpstreamException(ErrorCode.LLM_FAILED, "Nothing at " + endpoint
                            + " answers as Ollama (HTTP 404, \"" + shorten(body) + "\"): check ollama.url; it is the "
                            + "Ollama server's own address, such as http://127.0.0.1:11434, without /api or a proxy's "
                            + "path unless the proxy serves Ollama there");
            case 400 -> new UpstreamException(ErrorCode.LLM_REJECTED,
                    "Ollama rejected the request for model \"" + model + "\": " + said);
            case 401 -> new UpstreamException(ErrorCode.LLM_REJECTED, "Ollama needs a signed-in account for model \""
                    + model + "\" (a cloud model): run `ollama signin` on the machine Ollama runs on, or choose a "
                    + "local model (Ollama said: " + said + ")");
            case 403 -> new UpstreamException(ErrorCode.LLM_REJECTED, "Ollama refused model \"" + model
                    + "\" for this account (HTTP 403): check the account's access to it, or choose a local model "
                    + "(Ollama said: " + said + ")");
            case 429 -> new TransientException(ErrorCode.LLM_BUSY, "Ollama's cloud service is rate-limiting model \""
                    + model + "\"; try again in a moment", retryAfter(retryAfter));
            case 502 -> new TransientException(ErrorCode.LLM_UNAVAILABLE, "Ollama could not reach the service "
                    + "behind model \"" + model + "\" (HTTP 502: " + said + "); try again in a moment",
                    retryAfter(retryAfter));
            case 503 -> new TransientException(ErrorCode.LLM_BUSY,
                    "Ollama is busy (its request queue is full); try again in a moment", retryAfter(retryAfter));
            default -> new UpstreamException(ErrorCode.LLM_FAILED,
                    "Ollama failed with HTTP status " + status + ": " + said);
        };
    }

    private boolean jsonError(String body) {
        try {
            JsonNode node = mapper.readTree(body);
            return node != null && node.path("error").isTextual();
        } catch (IOException notJson) {
            return false;
        }
    }

    ChatException errorLine(String error) {
        return new UpstreamException(ErrorCode.LLM_FAILED,
                "Ollama failed while answering: " + shorten(error));
    }

    ChatException malformedLine(Throwable cause) {
        return new TransientException(ErrorCode.LLM_PROTOCOL,
                "Ollama sent a line that is not valid JSON; the reply was stopped", cause);
    }

    @Override
    public ChatException lineTooLong() {
        return new TransientException(ErrorCode.LLM_PROTOCOL,
                "Ollama sent a line longer than " + maxLineBytes + " bytes; the reply was stopped");
    }

    ChatException truncated() {
        return new TransientException(ErrorCode.LLM_PROTOCOL,
                "Ollama's reply ended before it was complete (no final \"done\" line); try again");
    }

    @Override
    public ChatException timeout(Watchdog.Expiry expiry, Duration limit) {
        String what = switch (expiry) {
            case FIRST_TOKEN -> "Ollama sent nothing within " + seconds(limit)
                    + " (the model may still be loading; raise the first-token timeout for big models)";
            case IDLE -> "Ollama went silent for " + seconds(limit) + " in the middle of the reply";
            case OVERALL -> "Ollama's reply took longer than " + seconds(limit) + " in all";
        };
        return new TransientException(ErrorCode.LLM_TIMEOUT, what + "; try again");
    }

    private String quote(String body) {
        try {
            JsonNode node = mapper.readTree(body);
            if (node != null && node.path("error").isTextual()) {
                return shorten(node.path("error").asText());
            }
        } catch (IOException notJson) {
            // fall through: quote the raw text
        }
        return body.isBlank() ? "(no details)" : shorten(body);
    }

    private static String shorten(String text) {
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_QUOTE ? oneLine : oneLine.substring(0, MAX_QUOTE) + "…";
    }

    /** The server's {@code Retry-After} in seconds when it sent one (a proxy may), else {@link #BUSY_BACKOFF}. */
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
