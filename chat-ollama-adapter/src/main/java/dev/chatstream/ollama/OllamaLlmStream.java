package dev.chatstream.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chatstream.core.Action;
import dev.chatstream.core.Cancellation;
import dev.chatstream.core.Http1Exchange;
import dev.chatstream.core.UpstreamCall;
import dev.chatstream.core.LineReader;
import dev.chatstream.core.Watchdog;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.ChatMessage;
import dev.chatstream.core.LlmDelta;
import dev.chatstream.core.LlmListener;
import dev.chatstream.core.LlmRequest;
import dev.chatstream.core.LlmStream;
import dev.chatstream.core.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link LlmStream} over Ollama's {@code POST /api/chat} with {@code stream: true}: one blocking HTTP/1.1
 * connection per reply, read on the caller's thread ({@code Http1Exchange}; cheaper per token than the JDK
 * {@link HttpClient}, see docs/performance.md) and Jackson's streaming parser; plus the model list and version
 * for readiness checks (on the {@link HttpClient}).
 *
 * <p>Cancelling closes the HTTP request at once, before or after the first line, so Ollama stops generating.
 * Timeouts (connect, first token, idle, overall; see {@link OllamaConfig}) abort the same way and report
 * {@code llm_timeout}. Every failure becomes a {@link ChatException} with a stable code (see
 * {@code docs/ollama.md}); Ollama's error text never reaches the caller as reply text.
 *
 * <p>Thread-safe: one instance serves any number of concurrent streams.
 */
public final class OllamaLlmStream implements LlmStream {
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final OllamaConfig config;
    private final HttpClient http;
    private final ObjectMapper mapper = new ObjectMapper();
    private final ChatLineParser parser = new ChatLineParser(mapper);
    private final OllamaErrors errors;
    private final UpstreamCall.Limits limits;

    /** How long a readiness call may take beyond connecting: Ollama answers them at once, even while it loads. */
    static final Duration METADATA_ANSWER = Duration.ofSeconds(10);

    private final Duration metadataTimeout;
    /** Model name to its context, once {@code /api/show} told it. */
    private final java.util.Map<String, Integer> contexts = new java.util.concurrent.ConcurrentHashMap<>();

    private OllamaLlmStream(OllamaConfig config, Duration metadataAnswer) {
        this.config = config;
        this.metadataTimeout = config.connectTimeout().plus(metadataAnswer);
        // Only the short readiness calls (/api/tags, /api/version) use it; replies stream over Http1Exchange.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .build();
        this.errors = new OllamaErrors(config.baseUrl(), mapper, config.connectTimeout(), config.maxLineBytes(),
                config.model());
        this.limits = new UpstreamCall.Limits(config.connectTimeout(), config.firstTokenTimeout(),
                config.idleTimeout(), config.overallTimeout());
    }

    /** A client for the Ollama server described by {@code config}. Opens no connection yet. */
    public static OllamaLlmStream create(OllamaConfig config) {
        return new OllamaLlmStream(java.util.Objects.requireNonNull(config, "config must not be null"),
                METADATA_ANSWER);
    }

    /** With a shorter wait for readiness answers, for tests that must not sleep through the real one. */
    static OllamaLlmStream create(OllamaConfig config, Duration metadataAnswer) {
        return new OllamaLlmStream(config, metadataAnswer);
    }

    /** The configuration this client uses. */
    public OllamaConfig config() {
        return config;
    }

    @Override
    public Usage stream(LlmRequest request, LlmListener listener, Cancellation cancellation) {
        cancellation.throwIfCancelled();
        String model = request.options().modelOverride().orElse(config.model());
        byte[] body = requestBody(request, model);
        if (mustLoad(model)) {
            listener.onLoadingModel();
        }
        Usage usage = UpstreamCall.run(endpoint("/api/chat"), limits, cancellation, errors,
                (exchange, watchdog) -> exchange(body, model, listener, exchange, watchdog));
        warmUntil.put(model, System.nanoTime() + WARM.toNanos());
        return usage;
    }

    /** How long a model that answered (or that {@code /api/ps} listed) is taken to be loaded without asking again. */
    static final Duration WARM = Duration.ofSeconds(60);
    /** The longest {@code /api/ps} may take: it only tells the client what it waits for, never holds a reply up. */
    private static final Duration PS_TIMEOUT = Duration.ofMillis(500);
    private final java.util.concurrent.ConcurrentHashMap<String, Long> warmUntil =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Whether Ollama will load {@code model} before it answers: not when it answered or was listed as loaded in the
     * last minute (no call at all on the hot path of a warm model); else {@code GET /api/ps}, where a model that is not
     * listed must be loaded. Unknown (an old Ollama, a timeout) is "no": a phase is said only when known.
     */
    private boolean mustLoad(String model) {
        Long until = warmUntil.get(model);
        if (until != null && until - System.nanoTime() > 0) {
            return false;
        }
        try {
            JsonNode ps = exchangeJson(HttpRequest.newBuilder(endpoint("/api/ps")).timeout(PS_TIMEOUT).GET().build());
            for (JsonNode m : ps.path("models")) {
                String name = m.path("name").asText(m.path("model").asText(""));
                if (name.equals(model) || name.equals(model + ":latest")) {
                    warmUntil.put(model, System.nanoTime() + WARM.toNanos());
                    return false;
                }
            }
            return ps.path("models").isArray();
        } catch (RuntimeException e) { // a ChatException too: say nothing rather than guess
            return false;
        }
    }

    private Usage exchange(byte[] requestBody, String model, LlmListener listener, Http1Exchange exchange,
                           Watchdog watchdog) throws IOException {
        Http1Exchange.Response response = exchange.post(requestBody, "application/x-ndjson");
        try (InputStream body = response.body()) {
            if (response.status() != 200) {
                String text = new String(body.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
                throw errors.status(response.status(), text, model, endpoint("/api/chat"),
                        response.header("Retry-After"));
            }
            LineReader lines = new LineReader(body, config.maxLineBytes());
            while (lines.next()) {
                watchdog.activity();
                ChatLine line;
                try {
                    line = parser.parse(lines.bytes(), lines.length());
                } catch (IOException malformed) {
                    throw errors.malformedLine(malformed);
                }
                if (line.error().isPresent()) {
                    throw errors.errorLine(line.error().get());
                }
                deliver(line, listener);
                if (line.done()) {
                    return line.usage();
                }
            }
            throw errors.truncated();
        }
    }

    private static void deliver(ChatLine line, LlmListener listener) {
        if (!line.thinking().isEmpty()) {
            UpstreamCall.deliver(listener, new LlmDelta.Thinking(line.thinking()));
        }
        if (!line.content().isEmpty()) {
            UpstreamCall.deliver(listener, new LlmDelta.Text(line.content()));
        }
        for (Action call : line.toolCalls()) {
            UpstreamCall.deliver(listener, new LlmDelta.ToolCall(call));
        }
    }

    /**
     * Ollama's context when neither chatstream's {@code num_ctx} nor the model's Modelfile sets one: 4096 tokens
     * (Ollama's docs, "Context length", for machines under 24 GiB of VRAM; older versions used 2048, larger GPUs
     * get more, and {@code OLLAMA_CONTEXT_LENGTH} on the server changes it, none of which the API tells).
     */
    static final int DEFAULT_CONTEXT = 4096;

    /**
     * The context the prompt must fit: the request's own {@code options.num_ctx} (a front door's client's), else
     * {@code options.num_ctx} when set (it is sent with every request), else the
     * model's Modelfile {@code num_ctx} ({@code POST /api/show}, asked once per model), else
     * {@link #DEFAULT_CONTEXT}; never more than the model was trained for. When Ollama cannot be asked, the
     * default (not remembered: the next turn asks again).
     */
    @Override
    public java.util.OptionalInt contextTokens(dev.chatstream.core.ChatOptions options) {
        String model = options.modelOverride().orElse(config.model());
        if (options.passthrough().get("options") instanceof Map<?, ?> asked && asked.get("num_ctx") instanceof Number n
                && n.intValue() > 0) {
            return java.util.OptionalInt.of(n.intValue()); // a front door's client set it (Home Assistant does)
        }
        Object configured = config.options().get("num_ctx");
        if (configured instanceof Number n && n.intValue() > 0) {
            return java.util.OptionalInt.of(n.intValue());
        }
        Integer known = contexts.get(model);
        if (known != null) {
            return java.util.OptionalInt.of(known);
        }
        try {
            JsonNode show = postJson("/api/show", mapper.createObjectNode().put("model", model));
            int context = DEFAULT_CONTEXT;
            for (String line : show.path("parameters").asText("").split("\n")) {
                String[] parts = line.strip().split("\\s+");
                if (parts.length == 2 && parts[0].equals("num_ctx") && parts[1].matches("\\d{1,9}")) {
                    context = Integer.parseInt(parts[1]);
                }
            }
            for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = show.path("model_info").fields();
                 it.hasNext(); ) {
                java.util.Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().endsWith(".context_length") && e.getValue().canConvertToInt()
                        && e.getValue().asInt() > 0) {
                    context = Math.min(context, e.getValue().asInt());
                }
            }
            contexts.put(model, context);
            return java.util.OptionalInt.of(context);
        } catch (ChatException e) {
            return java.util.OptionalInt.of(DEFAULT_CONTEXT);
        }
    }

    /** {@code options.num_predict} when set to a positive limit (-1 and -2 mean none, or the context). */
    @Override
    public java.util.OptionalInt replyTokens(dev.chatstream.core.ChatOptions options) {
        return config.options().get("num_predict") instanceof Number n && n.intValue() > 0
                ? java.util.OptionalInt.of(n.intValue()) : java.util.OptionalInt.empty();
    }

    /**
     * The names of the models installed on the server ({@code GET /api/tags}), e.g. {@code llama3.2:latest}.
     *
     * @throws ChatException when Ollama is unreachable or answers with an error
     */
    @Override
    public List<String> models() {
        JsonNode tags = getJson("/api/tags");
        List<String> names = new ArrayList<>();
        for (JsonNode m : tags.path("models")) {
            String name = m.path("name").asText(m.path("model").asText(""));
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    /** {@code model} (the setting), which a request's own model overrides. */
    @Override
    public java.util.Optional<String> configuredModel() {
        return java.util.Optional.of(config.model());
    }

    /**
     * Whether {@code model} is installed; {@code llama3.2} matches {@code llama3.2:latest}.
     *
     * @throws ChatException when Ollama is unreachable or answers with an error
     */
    public boolean isInstalled(String model) {
        String wanted = model.contains(":") ? model : model + ":latest";
        return models().stream().anyMatch(name -> name.equals(model) || name.equals(wanted));
    }

    /**
     * The server's version ({@code GET /api/version}), e.g. {@code 0.12.3}.
     *
     * @throws ChatException when Ollama is unreachable or answers with an error
     */
    public String version() {
        return getJson("/api/version").path("version").asText("");
    }

    private JsonNode postJson(String path, JsonNode body) {
        HttpRequest request = HttpRequest.newBuilder(endpoint(path))
                .timeout(metadataTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return exchangeJson(request);
    }

    private JsonNode getJson(String path) {
        return exchangeJson(HttpRequest.newBuilder(endpoint(path)).timeout(metadataTimeout).GET().build());
    }

    private JsonNode exchangeJson(HttpRequest request) {
        String text = UpstreamCall.fetch(http, request, errors);
        try {
            return mapper.readTree(text);
        } catch (IOException notJson) {
            throw errors.malformedLine(notJson);
        }
    }

    private URI endpoint(String path) {
        return URI.create(config.baseUrl() + path);
    }

    /** Fields a front door's client set ({@code ChatOptions.passthrough}) over the configured ones. */
    static final java.util.Set<String> PASSED_THROUGH = java.util.Set.of("keep_alive", "options", "think", "format",
            "tools");

    private void passThrough(ObjectNode root, Map<String, Object> fields) {
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            if (!PASSED_THROUGH.contains(field.getKey())) {
                continue;
            }
            JsonNode value = mapper.valueToTree(field.getValue());
            if (field.getKey().equals("options") && value.isObject() && root.get("options") instanceof ObjectNode own) {
                own.setAll((ObjectNode) value);
            } else {
                root.set(field.getKey(), value);
            }
        }
    }

    private byte[] requestBody(LlmRequest request, String model) {
        ObjectNode root = mapper.createObjectNode();
        root.put("model", model);
        ArrayNode messages = root.putArray("messages");
        for (ChatMessage m : request.messages()) {
            messages.addObject().put("role", m.role().wireName()).put("content", m.content());
        }
        root.put("stream", true);
        if (!config.options().isEmpty()) {
            root.set("options", mapper.valueToTree(config.options()));
        }
        String keepAlive = config.keepAlive().strip();
        if (!keepAlive.isEmpty()) {
            if (keepAlive.matches("-?\\d+")) {
                root.put("keep_alive", Long.parseLong(keepAlive));
            } else {
                root.put("keep_alive", keepAlive);
            }
        }
        switch (config.think()) {
            case "" -> { }
            case "true", "false" -> root.put("think", Boolean.parseBoolean(config.think()));
            default -> root.put("think", config.think());
        }
        if (!config.tools().isEmpty()) {
            root.set("tools", mapper.valueToTree(config.tools()));
        }
        passThrough(root, request.options().passthrough());
        try {
            return mapper.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the Ollama request", e);
        }
    }
}
