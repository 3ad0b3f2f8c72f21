package dev.chatstream.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.TransientException;
import dev.chatstream.core.UpstreamException;
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
final class OllamaErrors {
    private static final int MAX_QUOTE = 300;

    private final URI baseUrl;
    private final ObjectMapper mapper;

    OllamaErrors(URI baseUrl, ObjectMapper mapper) {
        this.baseUrl = baseUrl;
        this.mapper = mapper;
    }

    ChatException unreachable(Throwable cause) {
        return new TransientException(ErrorCode.LLM_UNAVAILABLE,
                "Ollama is not reachable at " + baseUrl + " — is it running? (start it with `ollama serve`)", cause);
    }

    ChatException connectionBroke(Throwable cause) {
        return new TransientException(ErrorCode.LLM_UNAVAILABLE,
                "The connection to Ollama at " + baseUrl + " broke before the reply was complete; try again", cause);
    }

    /** For an exception thrown while connecting or sending. */
    ChatException sending(IOException e, Duration connectTimeout) {
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
    ChatException noAnswer(Duration limit, Throwable cause) {
        return new TransientException(ErrorCode.LLM_TIMEOUT, "Ollama at " + baseUrl + " did not answer within "
                + seconds(limit) + " — is it running, and not overloaded?", cause);
    }

    /** For a response whose status is not 200; {@code body} is its (bounded) text. */
    ChatException status(int status, String body, String model, Optional<String> retryAfter) {
        String said = quote(body);
        return switch (status) {
            case 404 -> new UpstreamException(ErrorCode.MODEL_NOT_FOUND, "The model \"" + model
                    + "\" is not installed on Ollama at " + baseUrl + ": run `ollama pull " + model + "`");
            case 400 -> new UpstreamException(ErrorCode.LLM_REJECTED,
                    "Ollama rejected the request for model \"" + model + "\": " + said);
            case 503 -> new TransientException(ErrorCode.LLM_BUSY,
                    "Ollama is busy (its request queue is full); try again in a moment", retryAfter(retryAfter));
            default -> new UpstreamException(ErrorCode.LLM_FAILED,
                    "Ollama failed with HTTP status " + status + ": " + said);
        };
    }

    ChatException errorLine(String error) {
        return new UpstreamException(ErrorCode.LLM_FAILED,
                "Ollama failed while answering: " + shorten(error));
    }

    ChatException malformedLine(Throwable cause) {
        return new TransientException(ErrorCode.LLM_PROTOCOL,
                "Ollama sent a line that is not valid JSON; the reply was stopped", cause);
    }

    ChatException lineTooLong(int limit) {
        return new TransientException(ErrorCode.LLM_PROTOCOL,
                "Ollama sent a line longer than " + limit + " bytes; the reply was stopped");
    }

    ChatException truncated() {
        return new TransientException(ErrorCode.LLM_PROTOCOL,
                "Ollama's reply ended before it was complete (no final \"done\" line); try again");
    }

    ChatException timeout(Watchdog.Expiry expiry, Duration limit) {
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

    private static Duration retryAfter(Optional<String> header) {
        try {
            return header.map(String::strip).map(Long::parseLong).filter(s -> s > 0 && s < 3600)
                    .map(Duration::ofSeconds).orElse(Duration.ZERO);
        } catch (NumberFormatException httpDate) {
            return Duration.ZERO;
        }
    }

    static String seconds(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
