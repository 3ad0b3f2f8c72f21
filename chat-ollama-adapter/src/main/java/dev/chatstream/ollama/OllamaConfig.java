package dev.chatstream.ollama;

import dev.chatstream.core.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How to talk to one Ollama server. Start from {@link #defaults()} and change what you need with the
 * {@code with...} methods; every value is checked when set, with a message that names it.
 *
 * @param baseUrl           where Ollama listens (default {@code http://127.0.0.1:11434})
 * @param model             the model to chat with (default {@code llama3.2}); a request may override it
 * @param keepAlive         how long Ollama keeps the model loaded after a request ({@code "5m"}, {@code "-1"},
 *                          {@code "0"}); empty to leave Ollama's own default
 * @param options           model options sent as-is ({@code temperature}, {@code num_ctx}, {@code num_predict}...)
 * @param think             {@code "true"}, {@code "false"}, {@code "low"}, {@code "medium"} or {@code "high"};
 *                          empty to not send {@code think} (the model's default)
 * @param tools             native tool definitions sent as-is (function name, description, JSON schema parameters)
 * @param connectTimeout    to open the TCP connection (default 5 s: Ollama is local, a longer wait means it is down)
 * @param firstTokenTimeout from sending the request to the first line (default 120 s: a cold model load takes tens
 *                          of seconds, more on a slow disk)
 * @param idleTimeout       the longest silence between two lines once streaming (default 30 s; tokens normally
 *                          come every 5-50 ms)
 * @param overallTimeout    the longest a whole reply may take (default 10 min)
 * @param maxLineBytes      the longest NDJSON line accepted (default 1 MiB); longer is a protocol error, not an
 *                          out-of-memory
 */
public record OllamaConfig(URI baseUrl, String model, String keepAlive, Map<String, Object> options, String think,
                           List<Map<String, Object>> tools, Duration connectTimeout, Duration firstTokenTimeout,
                           Duration idleTimeout, Duration overallTimeout, int maxLineBytes) {
    private static final Set<String> THINK_VALUES = Set.of("", "true", "false", "low", "medium", "high");

    public OllamaConfig {
        Objects.requireNonNull(baseUrl, "baseUrl must not be null");
        String scheme = baseUrl.getScheme();
        if (!("http".equals(scheme) || "https".equals(scheme)) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("Ollama base URL must be http(s)://host[:port], got " + baseUrl);
        }
        baseUrl = URI.create(baseUrl.toString().replaceAll("/+$", ""));
        Objects.requireNonNull(model, "model must not be null");
        if (model.isBlank()) {
            throw new IllegalArgumentException("Ollama model must not be blank (e.g. llama3.2)");
        }
        model = model.strip();
        Objects.requireNonNull(keepAlive, "keepAlive must not be null");
        options = Map.copyOf(Objects.requireNonNull(options, "options must not be null"));
        Objects.requireNonNull(think, "think must not be null");
        if (!THINK_VALUES.contains(think)) {
            throw new IllegalArgumentException(
                    "think must be one of true, false, low, medium, high (or empty), got \"" + think + "\"");
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

    /** The defaults listed above. */
    public static OllamaConfig defaults() {
        return DEFAULTS;
    }

    /** {@code ollama.url}: where Ollama listens. */
    public static final Settings.Key URL = new Settings.Key("ollama.url", "http://127.0.0.1:11434");
    /** {@code model}: the model every chat uses. */
    public static final Settings.Key MODEL = new Settings.Key("model", "llama3.2");
    /** {@code ollama.first.token.seconds}: the longest wait for Ollama's first line (a cold model load). */
    public static final Settings.Key FIRST_TOKEN_SECONDS = new Settings.Key("ollama.first.token.seconds", "120");
    /** {@code ollama.idle.seconds}: the longest silence in the middle of a reply. */
    public static final Settings.Key IDLE_SECONDS = new Settings.Key("ollama.idle.seconds", "30");
    /** {@code ollama.think}: whether a thinking model thinks ({@code true}, {@code false}, {@code low}...). */
    public static final Settings.Key THINK = new Settings.Key("ollama.think", "");
    /** {@code ollama.keep.alive}: how long Ollama keeps the model loaded ({@code 5m}, {@code -1}, {@code 0}). */
    public static final Settings.Key KEEP_ALIVE = new Settings.Key("ollama.keep.alive", "");
    /** {@code ollama.options}: model options as a JSON object ({@code {"num_ctx": 8192}}). */
    public static final Settings.Key OPTIONS = new Settings.Key("ollama.options", "");
    /** The settings this adapter reads. */
    public static final List<Settings.Key> KEYS = List.of(URL, FIRST_TOKEN_SECONDS, IDLE_SECONDS, MODEL, THINK,
            KEEP_ALIVE, OPTIONS);
    /** Go's duration syntax as Ollama reads {@code keep_alive} ({@code 5m}, {@code 1h30m}), or whole seconds. */
    private static final java.util.regex.Pattern KEEP_ALIVE_VALUE =
            java.util.regex.Pattern.compile("-?\\d+|(\\d+(\\.\\d+)?(ns|us|ms|s|m|h))+");
    private static final java.util.regex.Pattern OPTION_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_]{0,63}");

    /**
     * The defaults with the URL, model and timeouts {@code settings} set.
     *
     * @throws dev.chatstream.core.ConfigException naming the key, its source and the accepted values when one is wrong
     */
    public static OllamaConfig from(Settings settings) {
        OllamaConfig d = defaults().withBaseUrl(settings.url(URL, "http://127.0.0.1:11434"))
                .withModel(settings.nonBlank(MODEL, "a model name such as llama3.2"));
        String think = settings.text(THINK).strip();
        if (!THINK_VALUES.contains(think)) {
            throw settings.bad(THINK, "empty (the model's default), true, false, low, medium or high");
        }
        String keepAlive = settings.text(KEEP_ALIVE).strip();
        if (!keepAlive.isEmpty() && !KEEP_ALIVE_VALUE.matcher(keepAlive).matches()) {
            throw settings.bad(KEEP_ALIVE, "empty (Ollama's default, 5m), a duration such as 10m or 1h, 0 to unload at "
                    + "once, or -1 to keep the model loaded");
        }
        d = d.withThink(think).withKeepAlive(keepAlive).withOptions(options(settings));
        return d.withTimeouts(d.connectTimeout(), Duration.ofSeconds(settings.integer(FIRST_TOKEN_SECONDS, 1, 3_600)),
                Duration.ofSeconds(settings.integer(IDLE_SECONDS, 1, 3_600)), d.overallTimeout());
    }

    private static Map<String, Object> options(Settings settings) {
        String text = settings.text(OPTIONS).strip();
        if (text.isEmpty()) {
            return Map.of();
        }
        String accepted = "a JSON object of Ollama model options such as {\"num_ctx\": 8192, \"temperature\": 0.7} "
                + "(names in lower case; values numbers, strings, true/false or lists of strings)";
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
            Object v = e.getValue();
            boolean plain = v instanceof Number || v instanceof String || v instanceof Boolean
                    || (v instanceof List<?> l && l.stream().allMatch(String.class::isInstance));
            if (!OPTION_NAME.matcher(String.valueOf(e.getKey())).matches() || !plain) {
                throw settings.bad(OPTIONS, accepted);
            }
            out.put(String.valueOf(e.getKey()), v);
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static final OllamaConfig DEFAULTS = defaultConfig();

    private static OllamaConfig defaultConfig() {
        return new OllamaConfig(URI.create("http://127.0.0.1:11434"), "llama3.2", "", Map.of(), "", List.of(),
                Duration.ofSeconds(5), Duration.ofSeconds(120), Duration.ofSeconds(30), Duration.ofMinutes(10),
                1 << 20);
    }

    /** A copy with another base URL. */
    public OllamaConfig withBaseUrl(URI url) {
        return new OllamaConfig(url, model, keepAlive, options, think, tools, connectTimeout, firstTokenTimeout,
                idleTimeout, overallTimeout, maxLineBytes);
    }

    /** A copy with another model. */
    public OllamaConfig withModel(String name) {
        return new OllamaConfig(baseUrl, name, keepAlive, options, think, tools, connectTimeout, firstTokenTimeout,
                idleTimeout, overallTimeout, maxLineBytes);
    }

    /** A copy with another keep-alive. */
    public OllamaConfig withKeepAlive(String value) {
        return new OllamaConfig(baseUrl, model, value, options, think, tools, connectTimeout, firstTokenTimeout,
                idleTimeout, overallTimeout, maxLineBytes);
    }

    /** A copy with other model options. */
    public OllamaConfig withOptions(Map<String, Object> values) {
        return new OllamaConfig(baseUrl, model, keepAlive, values, think, tools, connectTimeout, firstTokenTimeout,
                idleTimeout, overallTimeout, maxLineBytes);
    }

    /** A copy with another thinking setting. */
    public OllamaConfig withThink(String value) {
        return new OllamaConfig(baseUrl, model, keepAlive, options, value, tools, connectTimeout, firstTokenTimeout,
                idleTimeout, overallTimeout, maxLineBytes);
    }

    /** A copy with other native tools. */
    public OllamaConfig withTools(List<Map<String, Object>> definitions) {
        return new OllamaConfig(baseUrl, model, keepAlive, options, think, definitions, connectTimeout,
                firstTokenTimeout, idleTimeout, overallTimeout, maxLineBytes);
    }

    /** A copy with other timeouts. */
    public OllamaConfig withTimeouts(Duration connect, Duration firstToken, Duration idle, Duration overall) {
        return new OllamaConfig(baseUrl, model, keepAlive, options, think, tools, connect, firstToken, idle, overall,
                maxLineBytes);
    }

    /** A copy with another line limit. */
    public OllamaConfig withMaxLineBytes(int bytes) {
        return new OllamaConfig(baseUrl, model, keepAlive, options, think, tools, connectTimeout, firstTokenTimeout,
                idleTimeout, overallTimeout, bytes);
    }
}
