package dev.chatstream.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chatstream.core.Action;
import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.ChatMessage;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.Http1Exchange;
import dev.chatstream.core.UpstreamCall;
import dev.chatstream.core.LineReader;
import dev.chatstream.core.LlmDelta;
import dev.chatstream.core.LlmListener;
import dev.chatstream.core.LlmRequest;
import dev.chatstream.core.LlmStream;
import dev.chatstream.core.Usage;
import dev.chatstream.core.Watchdog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link LlmStream} over an OpenAI-compatible server's {@code POST /v1/chat/completions} with {@code "stream": true}
 * and {@code stream_options.include_usage}: one blocking HTTP/1.1 connection per reply, read on the caller's thread
 * ({@link Http1Exchange}), Server-Sent Events cut into lines ({@link LineReader}) and each {@code data:} parsed with
 * Jackson's streaming parser. Text deltas become {@link LlmDelta.Text}, {@code reasoning_content} (or
 * {@code reasoning}) {@link LlmDelta.Thinking}, and streamed {@code tool_calls} are joined by index into one
 * {@link LlmDelta.ToolCall} each when the choice finishes. Plus the model list ({@code GET /v1/models}) for readiness.
 *
 * <p>The stream ends at {@code data: [DONE]}; a connection that closes after a {@code finish_reason} but before
 * {@code [DONE]} is taken as complete (some servers omit it, ik_llama.cpp #467), one that closes before any is
 * {@code llm_protocol}. Errors inside the stream are read in each server's shape: {@code data: {"error": ...}}
 * (OpenAI, vLLM) and llama-server's {@code error: {...}} line. Cancelling closes the HTTP request at once, before or
 * after the first byte, so the server stops generating; timeouts (connect, first token, idle, overall) abort the
 * same way and report {@code llm_timeout}. Every failure becomes a {@link ChatException} with a stable code (see
 * {@code docs/openai.md}); the API key is sent only as {@code Authorization: Bearer} and never appears in a message.
 *
 * <p>Thread-safe: one instance serves any number of concurrent streams.
 */
public final class OpenAiLlmStream implements LlmStream {
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "error:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);
    /** How long a readiness call may take beyond connecting. */
    static final Duration METADATA_ANSWER = Duration.ofSeconds(10);

    private final OpenAiConfig config;
    private final HttpClient http;
    private final ObjectMapper mapper = new ObjectMapper();
    private final ChunkParser parser = new ChunkParser(mapper);
    private final OpenAiErrors errors;
    private final UpstreamCall.Limits limits;
    private final Duration metadataTimeout;
    private final Map<String, String> authorization;
    /** The model the server listed first, once asked (when none is configured). */
    private volatile String listedModel;
    /** Model name to its context (0: the server does not say), once asked. */
    private final Map<String, Integer> contexts = new ConcurrentHashMap<>();

    private OpenAiLlmStream(OpenAiConfig config, Duration metadataAnswer) {
        this.config = config;
        this.metadataTimeout = config.connectTimeout().plus(metadataAnswer);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .build();
        this.errors = new OpenAiErrors(config.baseUrl(), mapper, config.connectTimeout(), config.maxLineBytes(),
                config.model());
        this.limits = new UpstreamCall.Limits(config.connectTimeout(), config.firstTokenTimeout(),
                config.idleTimeout(), config.overallTimeout());
        this.authorization = config.apiKey().isEmpty() ? Map.of()
                : Map.of("Authorization", "Bearer " + config.apiKey());
    }

    /** A client for the server described by {@code config}. Opens no connection yet. */
    public static OpenAiLlmStream create(OpenAiConfig config) {
        return new OpenAiLlmStream(java.util.Objects.requireNonNull(config, "config must not be null"),
                METADATA_ANSWER);
    }

    /** With a shorter wait for readiness answers, for tests that must not sleep through the real one. */
    static OpenAiLlmStream create(OpenAiConfig config, Duration metadataAnswer) {
        return new OpenAiLlmStream(config, metadataAnswer);
    }

    /** The configuration this client uses. */
    public OpenAiConfig config() {
        return config;
    }

    @Override
    public Usage stream(LlmRequest request, LlmListener listener, Cancellation cancellation) {
        cancellation.throwIfCancelled();
        String model = model(request.options());
        byte[] body = requestBody(request, model);
        URI endpoint = endpoint("/chat/completions");
        return UpstreamCall.run(endpoint, limits, cancellation, errors,
                (exchange, watchdog) -> exchange(body, model, endpoint, listener, exchange, watchdog));
    }

    private Usage exchange(byte[] requestBody, String model, URI endpoint, LlmListener listener,
                           Http1Exchange exchange, Watchdog watchdog) throws IOException {
        Http1Exchange.Response response = exchange.post(requestBody, "text/event-stream", authorization);
        try (InputStream body = response.body()) {
            if (response.status() != 200) {
                String text = new String(body.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
                throw errors.status(response.status(), text, model, endpoint, response.header("Retry-After"));
            }
            String type = response.header("Content-Type").orElse("");
            if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")) {
                throw errors.notEventStream(type);
            }
            Reply reply = new Reply(new ToolCallAssembler(mapper));
            LineReader lines = new LineReader(body, config.maxLineBytes());
            boolean errorEvent = false;
            while (lines.next()) {
                byte[] line = lines.bytes();
                int length = lines.length();
                if (startsWith(line, length, DATA)) {
                    watchdog.activity();
                    int from = valueStart(line, length, DATA.length);
                    if (errorEvent) {
                        throw errors.inStream(parser.errorMessage(line, from, length - from));
                    }
                    if (length - from == DONE.length && startsWith(line, from, length, DONE)) {
                        return reply.finish(listener);
                    }
                    Chunk chunk;
                    try {
                        chunk = parser.parse(line, from, length - from);
                    } catch (IOException malformed) {
                        throw errors.malformed(malformed);
                    }
                    if (chunk.error().isPresent()) {
                        throw errors.inStream(chunk.error().get());
                    }
                    reply.add(chunk, listener);
                } else if (startsWith(line, length, ERROR)) { // llama-server: "error: {...}"
                    int from = valueStart(line, length, ERROR.length);
                    throw errors.inStream(parser.errorMessage(line, from, length - from));
                } else if (startsWith(line, length, EVENT)) {
                    int from = valueStart(line, length, EVENT.length);
                    errorEvent = new String(line, from, length - from, StandardCharsets.UTF_8).strip().equals("error");
                }
                // ":" comments (keep-alives), id: and retry: mean nothing here
            }
            if (reply.finished()) {
                return reply.finish(listener);
            }
            throw errors.truncated();
        }
    }

    /** One reply's state: the finish reason, the counts, the tool calls being joined. */
    private static final class Reply {
        private final ToolCallAssembler toolCalls;
        private String finishReason = "";
        private Chunk.Counts counts;

        Reply(ToolCallAssembler toolCalls) {
            this.toolCalls = toolCalls;
        }

        void add(Chunk chunk, LlmListener listener) {
            if (!chunk.reasoning().isEmpty()) {
                UpstreamCall.deliver(listener, new LlmDelta.Thinking(chunk.reasoning()));
            }
            if (!chunk.content().isEmpty()) {
                UpstreamCall.deliver(listener, new LlmDelta.Text(chunk.content()));
            }
            if (!chunk.toolPieces().isEmpty()) {
                toolCalls.add(chunk.toolPieces());
            }
            chunk.usage().ifPresent(c -> counts = c);
            if (!chunk.finishReason().isEmpty()) {
                finishReason = chunk.finishReason();
                deliverToolCalls(listener);
            }
        }

        boolean finished() {
            return !finishReason.isEmpty();
        }

        Usage finish(LlmListener listener) {
            deliverToolCalls(listener);
            if (counts == null) {
                return finishReason.isEmpty() ? Usage.unknown() : new Usage(0, 0, Duration.ZERO, Duration.ZERO,
                        Duration.ZERO, Duration.ZERO, finishReason);
            }
            Duration prompt = millis(counts.promptMillis());
            Duration predicted = millis(counts.predictedMillis());
            return new Usage(counts.promptTokens(), counts.completionTokens(), prompt.plus(predicted), Duration.ZERO,
                    prompt, predicted, finishReason);
        }

        private void deliverToolCalls(LlmListener listener) {
            if (!toolCalls.pending()) {
                return;
            }
            for (Action call : toolCalls.finish()) {
                UpstreamCall.deliver(listener, new LlmDelta.ToolCall(call));
            }
        }

        private static Duration millis(double ms) {
            return Duration.ofNanos((long) (ms * 1_000_000));
        }
    }

    private static boolean startsWith(byte[] line, int length, byte[] prefix) {
        return startsWith(line, 0, length, prefix);
    }

    private static boolean startsWith(byte[] line, int from, int length, byte[] prefix) {
        if (length - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (line[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Where a field's value starts: after the colon and one optional space (the SSE rules). */
    private static int valueStart(byte[] line, int length, int afterColon) {
        return afterColon < length && line[afterColon] == ' ' ? afterColon + 1 : afterColon;
    }

    /**
     * The request's model: its override, else {@code openai.model}, else the first model the server lists (asked
     * once).
     *
     * @throws ChatException when the server must be asked and cannot be, or lists none
     */
    String model(ChatOptions options) {
        Optional<String> override = options.modelOverride();
        if (override.isPresent()) {
            return override.get();
        }
        if (!config.model().isEmpty()) {
            return config.model();
        }
        String listed = listedModel;
        if (listed == null) {
            List<String> models = models();
            if (models.isEmpty()) {
                throw new dev.chatstream.core.UpstreamException(dev.chatstream.core.ErrorCode.MODEL_NOT_FOUND,
                        "The server at " + config.baseUrl() + " lists no model at /models: load one, or set "
                                + "openai.model");
            }
            listed = models.get(0);
            listedModel = listed;
        }
        return listed;
    }

    /**
     * The context the prompt must fit, when the server tells it: vLLM's {@code max_model_len} in
     * {@code GET /v1/models}, else llama-server's {@code GET /props} ({@code default_generation_settings.n_ctx}, a
     * slot's share). Asked once per model; empty when the server does not say or cannot be asked.
     */
    @Override
    public OptionalInt contextTokens(ChatOptions options) {
        String model;
        try {
            model = model(options);
        } catch (ChatException e) {
            return OptionalInt.empty();
        }
        Integer known = contexts.get(model);
        if (known != null) {
            return known > 0 ? OptionalInt.of(known) : OptionalInt.empty();
        }
        try {
            int context = 0;
            for (JsonNode m : getJson(endpoint("/models")).path("data")) {
                if (m.path("id").asText().equals(model) && m.path("max_model_len").canConvertToInt()) {
                    context = Math.max(0, m.path("max_model_len").asInt());
                }
            }
            if (context == 0) {
                context = llamaServerContext();
            }
            contexts.put(model, context);
            return context > 0 ? OptionalInt.of(context) : OptionalInt.empty();
        } catch (ChatException e) {
            return OptionalInt.empty();
        }
    }

    private int llamaServerContext() {
        String base = config.baseUrl().toString();
        URI props = URI.create((base.endsWith("/v1") ? base.substring(0, base.length() - 3) : base) + "/props");
        try {
            JsonNode n = getJson(props).path("default_generation_settings").path("n_ctx");
            return n.canConvertToInt() ? Math.max(0, n.asInt()) : 0;
        } catch (ChatException notLlamaServer) {
            return 0;
        }
    }

    /** {@code max_tokens} (or {@code max_completion_tokens}) in {@code openai.options}, when positive. */
    @Override
    public OptionalInt replyTokens(ChatOptions options) {
        for (String key : List.of("max_tokens", "max_completion_tokens")) {
            if (config.options().get(key) instanceof Number n && n.intValue() > 0) {
                return OptionalInt.of(n.intValue());
            }
        }
        return OptionalInt.empty();
    }

    /**
     * The ids of the models the server offers ({@code GET /v1/models}), in its order.
     *
     * @throws ChatException when the server is unreachable or answers with an error
     */
    @Override
    public List<String> models() {
        List<String> ids = new ArrayList<>();
        for (JsonNode m : getJson(endpoint("/models")).path("data")) {
            String id = m.path("id").asText("");
            if (!id.isEmpty()) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** {@code openai.model}, or the first model the server listed once it was asked. */
    @Override
    public Optional<String> configuredModel() {
        return config.model().isEmpty() ? Optional.ofNullable(listedModel) : Optional.of(config.model());
    }

    /**
     * The model chats use when they name none: {@code openai.model}, else the first one the server lists.
     *
     * @throws ChatException when the server must be asked and cannot be, or lists none
     */
    public String defaultModel() {
        return model(dev.chatstream.core.ChatOptions.defaults());
    }

    private JsonNode getJson(URI uri) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(metadataTimeout).GET();
        authorization.forEach(request::header);
        String text = UpstreamCall.fetch(http, request.build(), errors);
        try {
            return mapper.readTree(text);
        } catch (IOException notJson) {
            throw errors.malformed(notJson);
        }
    }

    private URI endpoint(String path) {
        return URI.create(config.baseUrl() + path);
    }

    private byte[] requestBody(LlmRequest request, String model) {
        ObjectNode root = mapper.createObjectNode();
        root.put("model", model);
        ArrayNode messages = root.putArray("messages");
        for (ChatMessage m : request.messages()) {
            messages.addObject().put("role", m.role().wireName()).put("content", m.content());
        }
        root.put("stream", true);
        root.putObject("stream_options").put("include_usage", true);
        config.options().forEach((k, v) -> root.set(k, mapper.valueToTree(v)));
        if (!config.tools().isEmpty()) {
            root.set("tools", mapper.valueToTree(config.tools()));
        }
        try {
            return mapper.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the chat-completions request", e);
        }
    }
}
