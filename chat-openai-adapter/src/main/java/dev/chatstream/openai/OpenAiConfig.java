package dev.chatstream.openai;

import dev.chatstream.core.ConfigException;
import dev.chatstream.core.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to talk to one OpenAI-compatible server (llama.cpp's {@code llama-server}, vLLM, LM Studio, LocalAI, Ollama's
 * {@code /v1}, OpenAI itself). Start from {@link #of(URI)} and change what you need with the {@code with...}
 * methods; every value is checked when set, with a message that names it. {@link #toString()} never shows the key.
 *
 * @param baseUrl           the API's base, as the OpenAI SDKs take it: {@code http://127.0.0.1:8080/v1}; a URL
 *                          with no path gets {@code /v1}, which every server named above serves
 * @param model             the model to ask for; empty for the first one the server lists ({@code GET /v1/models}:
 *                          llama-server lists the one it runs)
 * @param apiKey            sent as {@code Authorization: Bearer KEY}; empty to send none (local servers)
 * @param options           sent as-is at the request's top level ({@code temperature}, {@code max_tokens},
 *                          {@code top_p}, {@code seed}...)
 * @param tools             native tool definitions sent as-is ({@code {"type": "function", "function": {...}}})
 * @param connectTimeout    to open the TCP connection (default 5 s)
 * @param firstTokenTimeout from sending the request to the first line (default 120 s: a model may load first)
 * @param idleTimeout       the longest silence between two lines once streaming (default 30 s)
 * @param overallTimeout    the longest a whole reply may take (default 10 min)
 * @param maxLineBytes      the longest SSE line accepted (default 1 MiB); longer is a protocol error
 */
public record OpenAiConfig(URI baseUrl, String model, String apiKey, Map<String, Object> options,
                           List<Map<String, Object>> tools, Duration connectTimeout, Duration firstTokenTimeout,
                           Duration idleTimeout, Duration overallTimeout, int maxLineBytes) {

    public OpenAiConfig {
        Objects.requireNonNull(baseUrl, "baseUrl must not be null");
        String scheme = baseUrl.getScheme();
        if (!("http".equals(scheme) || "https".equals(scheme)) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("OpenAI-compatible base URL must be http(s)://host[:port]/v1, got "
                    + baseUrl);
        }
        String text = baseUrl.toString().replaceAll("/+$", "");
        String path = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath().replaceAll("/+$", "");
        baseUrl = URI.create(path.isEmpty() ? text + "/v1" : text);
        model = Objects.requireNonNull(model, "model must not be null").strip();
        Objects.requireNonNull(apiKey, "apiKey must not be null");
        if (apiKey.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("the API key must be printable ASCII without spaces");
        }
        options = Map.copyOf(Objects.requireNonNull(options, "options must not be null"));
        for (String reserved : List.of("model", "messages", "stream", "stream_options", "tools")) {
            if (options.containsKey(reserved)) {
                throw new IllegalArgumentException("options must not set \"" + reserved + "\": chatstream sets it");
            }
        }
        tools = List.copyOf(Objects.requireNonNull(tools, "tools must not be null"));
        positive(connectTimeout, "connectTimeout");
        positive(firstTokenTimeout, "firstTokenTimeout");
        positive(idleTimeout, "idleTimeout");
        positive(overallTimeout, "overallTimeout");
        if (maxLineBytes < 1024) {
            throw new IllegalArgumentException("maxLineBytes must be at least 1024, got " + maxLineBytes);
        }
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name + " must not be null");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    /** {@code openai.url}: the server's API base, e.g. {@code http://127.0.0.1:8080/v1}. */
    public static final Settings.Key URL = new Settings.Key("openai.url", "");
    /** {@code openai.model}: the model to ask for; empty for the first one the server lists. */
    public static final Settings.Key MODEL = new Settings.Key("openai.model", "");
    /** {@code openai.api.key}: the Bearer key, when the server wants one. */
    public static final Settings.Key API_KEY = new Settings.Key("openai.api.key", "");
    /** {@code openai.options}: request fields as a JSON object ({@code {"temperature": 0.7, "max_tokens": 512}}). */
    public static final Settings.Key OPTIONS = new Settings.Key("openai.options", "");
    /** {@code openai.first.token.seconds}: the longest wait for the first line. */
    public static final Settings.Key FIRST_TOKEN_SECONDS = new Settings.Key("openai.first.token.seconds", "120");
    /** {@code openai.idle.seconds}: the longest silence in the middle of a reply. */
    public static final Settings.Key IDLE_SECONDS = new Settings.Key("openai.idle.seconds", "30");
    /** The settings this adapter reads. */
    public static final List<Settings.Key> KEYS = List.of(URL, MODEL, API_KEY, OPTIONS, FIRST_TOKEN_SECONDS,
            IDLE_SECONDS);

    private static final java.util.regex.Pattern OPTION_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_]{0,63}");

    /**
     * The settings' server, model, key, options and timeouts.
     *
     * @throws ConfigException naming the key, its source and what to set when one is wrong (never quoting the key)
     */
    public static OpenAiConfig from(Settings settings) {
        if (settings.text(URL).isBlank()) {
            throw new ConfigException(URL.name() + " is needed with llm=openai: the server's API base, such as "
                    + "http://127.0.0.1:8080/v1 (llama-server), http://127.0.0.1:8000/v1 (vLLM), "
                    + "http://127.0.0.1:1234/v1 (LM Studio) or http://127.0.0.1:11434/v1 (Ollama); set it with --"
                    + URL.name() + "=URL or " + URL.envVar());
        }
        return from(settings, settings.url(URL, "http://127.0.0.1:8080/v1"));
    }

    /**
     * The settings' model, key, options and timeouts for the server at {@code url} (one backend of a pool, whose
     * URL comes from {@code llm.backends}).
     *
     * @throws ConfigException naming the key, its source and what to set when one is wrong (never quoting the key)
     */
    public static OpenAiConfig from(Settings settings, URI url) {
        String key = settings.text(API_KEY);
        if (key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new ConfigException(API_KEY.name() + " (" + settings.source(API_KEY) + ") must be printable ASCII "
                    + "without spaces (the key itself is not shown)");
        }
        OpenAiConfig c = of(url).withModel(settings.text(MODEL)).withApiKey(key);
        Map<String, Object> options = options(settings);
        try {
            c = c.withOptions(options);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(OPTIONS.name() + " (" + settings.source(OPTIONS) + "): " + e.getMessage());
        }
        return c.withTimeouts(c.connectTimeout(), Duration.ofSeconds(settings.integer(FIRST_TOKEN_SECONDS, 1, 3_600)),
                Duration.ofSeconds(settings.integer(IDLE_SECONDS, 1, 3_600)), c.overallTimeout());
    }

    private static Map<String, Object> options(Settings settings) {
        String text = settings.text(OPTIONS).strip();
        if (text.isEmpty()) {
            return Map.of();
        }
        String accepted = "a JSON object of request fields such as {\"temperature\": 0.7, \"max_tokens\": 512} "
                + "(names in lower case)";
        Object parsed;
        try {
            parsed = new com.fasterxml.jackson.databind.ObjectMapper().readValue(text, Object.class);
        } catch (java.io.IOException e) {
            throw settings.bad(OPTIONS, accepted);
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw settings.bad(OPTIONS, accepted);
        }
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!OPTION_NAME.matcher(String.valueOf(e.getKey())).matches() || e.getValue() == null) {
                throw settings.bad(OPTIONS, accepted);
            }
            out.put(String.valueOf(e.getKey()), e.getValue());
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** The server at {@code baseUrl}, no key, the first model it lists, no options, the default timeouts. */
    public static OpenAiConfig of(URI baseUrl) {
        return new OpenAiConfig(baseUrl, "", "", Map.of(), List.of(), Duration.ofSeconds(5), Duration.ofSeconds(120),
                Duration.ofSeconds(30), Duration.ofMinutes(10), 1 << 20);
    }

    /** A copy with another model (empty: the first one the server lists). */
    public OpenAiConfig withModel(String name) {
        return new OpenAiConfig(baseUrl, name, apiKey, options, tools, connectTimeout, firstTokenTimeout, idleTimeout,
                overallTimeout, maxLineBytes);
    }

    /** A copy with another API key (empty: none). */
    public OpenAiConfig withApiKey(String key) {
        return new OpenAiConfig(baseUrl, model, key, options, tools, connectTimeout, firstTokenTimeout, idleTimeout,
                overallTimeout, maxLineBytes);
    }

    /** A copy with other request options. */
    public OpenAiConfig withOptions(Map<String, Object> values) {
        return new OpenAiConfig(baseUrl, model, apiKey, values, tools, connectTimeout, firstTokenTimeout, idleTimeout,
                overallTimeout, maxLineBytes);
    }

    /** A copy with other native tools. */
    public OpenAiConfig withTools(List<Map<String, Object>> definitions) {
        return new OpenAiConfig(baseUrl, model, apiKey, options, definitions, connectTimeout, firstTokenTimeout,
                idleTimeout, overallTimeout, maxLineBytes);
    }

    /** A copy with other timeouts. */
    public OpenAiConfig withTimeouts(Duration connect, Duration firstToken, Duration idle, Duration overall) {
        return new OpenAiConfig(baseUrl, model, apiKey, options, tools, connect, firstToken, idle, overall,
                maxLineBytes);
    }

    /** A copy with another line limit. */
    public OpenAiConfig withMaxLineBytes(int bytes) {
        return new OpenAiConfig(baseUrl, model, apiKey, options, tools, connectTimeout, firstTokenTimeout, idleTimeout,
                overallTimeout, bytes);
    }

    /** Never shows the key. */
    @Override
    public String toString() {
        return "OpenAiConfig[baseUrl=" + baseUrl + ", model=" + (model.isEmpty() ? "(first listed)" : model)
                + ", apiKey=" + (apiKey.isEmpty() ? "(none)" : "(hidden)") + ", options=" + options + ", tools="
                + tools.size() + ", connectTimeout=" + connectTimeout + ", firstTokenTimeout=" + firstTokenTimeout
                + ", idleTimeout=" + idleTimeout + ", overallTimeout=" + overallTimeout + ", maxLineBytes="
                + maxLineBytes + "]";
    }
}
