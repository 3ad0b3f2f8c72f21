package dev.chatstream.app;

import dev.chatstream.core.ChatSettings;
import dev.chatstream.core.ConfigException;
import dev.chatstream.homeassistant.ActionPolicy;
import dev.chatstream.http.HttpConfig;
import dev.chatstream.homeassistant.HomeAssistantConfig;
import dev.chatstream.llamacpp.LlamaCppConfig;
import dev.chatstream.ollama.OllamaConfig;
import dev.chatstream.store.StoreConfig;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * chatstream's settings, validated: the server's, the adapters' and the {@code chat} command's. Values come from, lowest precedence first: defaults, a properties
 * file ({@code --config=FILE} or {@code CHATSTREAM_CONFIG}), environment variables ({@code CHATSTREAM_PORT}),
 * and flags ({@code --port=8081}). Every key is listed in {@code docs/configuration.md}.
 *
 * @param host              address to listen on
 * @param port              TCP port, 0 for any free one
 * @param ollamaUrl         Ollama's base URL
 * @param model             the model every chat uses
 * @param heartbeat         time between {@code : ping} comments on a quiet stream
 * @param dataDir           where the SQLite store ({@code chatstream.db}) lives, unless {@code store} says otherwise
 * @param systemPromptFile  the base prompt file, if not the built-in prompt
 * @param maxBodyBytes      largest request body
 * @param maxMessageChars   longest message
 * @param maxHistoryItems   most history items
 * @param ratePerMinute     chat requests per user per minute
 * @param rateBurst         chat requests a user may start at once
 * @param streamsPerUser    open streams per user
 * @param streamsTotal      open streams in all
 * @param maxStreamDuration longest a stream may run
 * @param slowClientTimeout longest a write may wait for a client that does not read
 * @param shutdownGrace     how long open streams get to close on shutdown
 * @param corsOrigins       origins allowed by CORS; empty for none
 * @param store             the database: SQLite in {@code dataDir} by default, or PostgreSQL by JDBC URL
 * @param firstTokenTimeout longest wait for Ollama's first line (a cold model load)
 * @param idleTimeout       longest silence of Ollama in the middle of a reply
 * @param llamaCpp          with {@code llm = llamacpp}: the GGUF model run in-process instead of Ollama
 * @param homeAssistant     with {@code homeassistant.url}: the installation whose devices prompts list and
 *                          whose services actions call
 * @param actionsAuto       whether the server runs the actions the model asks for ({@code actions.auto}); off:
 *                          clients get the actions and decide, as before
 * @param actionConfirmTimeout how long a high-impact action waits for the user's confirmation
 */
public record AppConfig(String host, int port, URI ollamaUrl, String model, Duration heartbeat, Path dataDir,
        Optional<Path> systemPromptFile, int maxBodyBytes, int maxMessageChars, int maxHistoryItems,
        int ratePerMinute, int rateBurst, int streamsPerUser, int streamsTotal, Duration maxStreamDuration,
        Duration slowClientTimeout, Duration shutdownGrace, List<String> corsOrigins, StoreConfig store,
        Duration firstTokenTimeout, Duration idleTimeout, Optional<LlamaCppConfig> llamaCpp,
        Optional<HomeAssistantConfig> homeAssistant, boolean actionsAuto, Duration actionConfirmTimeout) {

    public AppConfig {
        java.util.Objects.requireNonNull(host, "host");
        java.util.Objects.requireNonNull(ollamaUrl, "ollamaUrl");
        java.util.Objects.requireNonNull(model, "model");
        java.util.Objects.requireNonNull(dataDir, "dataDir");
        java.util.Objects.requireNonNull(store, "store");
        java.util.Objects.requireNonNull(systemPromptFile, "systemPromptFile");
        java.util.Objects.requireNonNull(llamaCpp, "llamaCpp");
        java.util.Objects.requireNonNull(homeAssistant, "homeAssistant");
        corsOrigins = List.copyOf(corsOrigins);
        if (actionsAuto && homeAssistant.isEmpty()) {
            throw new ConfigException("actions.auto is true but homeassistant.url is not set: actions run in Home "
                    + "Assistant, so set its URL and token (see docs/home-assistant.md)");
        }
        // Validates the server's part (the parameters: the fields are not assigned yet).
        new HttpConfig(host, port, heartbeat, maxBodyBytes, ratePerMinute, rateBurst, streamsPerUser, streamsTotal,
                maxStreamDuration, slowClientTimeout, shutdownGrace, corsOrigins, actionsAuto, actionConfirmTimeout);
    }

    /**
     * Reads flags and environment variables (and the file they name) over the defaults.
     *
     * @throws ConfigException naming the key, its source and the accepted values when one is wrong
     */
    public static AppConfig load(List<String> args, Map<String, String> env) {
        Map<Setting, Sourced> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            values.put(s, new Sourced(s.defaultValue(), "default"));
        }
        Map<String, String> flags = flags(args);
        String file = flags.getOrDefault("config", env.get("CHATSTREAM_CONFIG"));
        if (file != null && !file.isBlank()) {
            Properties p = readFile(Path.of(file));
            for (String name : p.stringPropertyNames()) {
                Setting s = byKey(name).orElseThrow(() -> new ConfigException(
                        "Unknown key '" + name + "' in " + file + "; known keys: " + knownKeys()));
                values.put(s, new Sourced(p.getProperty(name).strip(), "key " + name + " in " + file));
            }
        }
        for (Setting s : Setting.values()) {
            String v = env.get(s.envVar());
            if (v != null) {
                values.put(s, new Sourced(v.strip(), "environment variable " + s.envVar()));
            }
        }
        flags.forEach((name, v) -> {
            if (!name.equals("config")) {
                Setting s = byKey(name).orElseThrow(() -> new ConfigException(
                        "Unknown flag --" + name + "; known flags: --config, --" + knownKeys().replace(", ", ", --")));
                values.put(s, new Sourced(v.strip(), "flag --" + name));
            }
        });
        return new Parsing(values, env).build();
    }

    /** How to reach Ollama: URL, model and the timeouts these settings set (the rest are the adapter's defaults). */
    public OllamaConfig ollama() {
        OllamaConfig d = OllamaConfig.defaults().withBaseUrl(ollamaUrl).withModel(model);
        return d.withTimeouts(d.connectTimeout(), firstTokenTimeout, idleTimeout, d.overallTimeout());
    }

    /** Where chats go, for people: {@code Ollama http://..., model llama3.2} or {@code llama.cpp in-process, model FILE}. */
    public String describeLlm() {
        return llamaCpp.map(l -> "llama.cpp in-process, model " + l.model())
                .orElse("Ollama " + ollamaUrl + ", model " + model);
    }

    /** Where chats' home context comes from, for people: {@code Home Assistant http://... (actions run: yes)}. */
    public String describeHome() {
        return homeAssistant.map(h -> "Home Assistant " + h.baseUrl() + (actionsAuto
                ? ", actions run by the server" : ", actions left to clients")).orElse("stored home context");
    }

    /** The HTTP server's part of these settings. */
    public HttpConfig http() {
        return new HttpConfig(host, port, heartbeat, maxBodyBytes, ratePerMinute, rateBurst, streamsPerUser,
                streamsTotal, maxStreamDuration, slowClientTimeout, shutdownGrace, corsOrigins, actionsAuto,
                actionConfirmTimeout);
    }

    /** The core's limits as these settings set them (message and history sizes); the rest are the defaults. */
    public ChatSettings chatSettings() {
        ChatSettings d = ChatSettings.defaults();
        return d.withMaxMessageChars(maxMessageChars)
                .withHistoryLimits(maxHistoryItems, d.maxHistoryItemChars(), d.maxHistoryTotalChars());
    }

    private record Sourced(String value, String source) {
    }

    /** Turns raw strings into typed values, each failure naming where the value came from. */
    private record Parsing(Map<Setting, Sourced> values, Map<String, String> env) {
        AppConfig build() {
            String host = text(Setting.HOST);
            if (host.isBlank()) {
                throw bad(Setting.HOST, "an address such as 127.0.0.1 or 0.0.0.0");
            }
            return new AppConfig(host,
                    integer(Setting.PORT, 0, 65_535),
                    url(Setting.OLLAMA_URL, "http://127.0.0.1:11434"),
                    nonBlank(Setting.MODEL, "a model name such as llama3.2"),
                    Duration.ofSeconds(integer(Setting.HEARTBEAT_SECONDS, 1, 300)),
                    dataDir(),
                    text(Setting.SYSTEM_PROMPT_FILE).isBlank() ? Optional.empty()
                            : Optional.of(Path.of(text(Setting.SYSTEM_PROMPT_FILE))),
                    integer(Setting.MAX_BODY_BYTES, 1_024, 64 * 1024 * 1024),
                    integer(Setting.MAX_MESSAGE_CHARS, 1, 1_000_000),
                    integer(Setting.MAX_HISTORY_ITEMS, 0, 10_000),
                    integer(Setting.RATE_PER_MINUTE, 1, 1_000_000),
                    integer(Setting.RATE_BURST, 1, 1_000_000),
                    integer(Setting.STREAMS_PER_USER, 1, 1_000_000),
                    integer(Setting.STREAMS_TOTAL, 1, 1_000_000),
                    Duration.ofSeconds(integer(Setting.MAX_STREAM_SECONDS, 1, 86_400)),
                    Duration.ofSeconds(integer(Setting.SLOW_CLIENT_SECONDS, 1, 3_600)),
                    Duration.ofSeconds(integer(Setting.SHUTDOWN_SECONDS, 0, 600)),
                    origins(),
                    store(),
                    Duration.ofSeconds(integer(Setting.OLLAMA_FIRST_TOKEN_SECONDS, 1, 3_600)),
                    Duration.ofSeconds(integer(Setting.OLLAMA_IDLE_SECONDS, 1, 3_600)),
                    llamaCpp(),
                    homeAssistant(),
                    actionsAuto(),
                    Duration.ofSeconds(integer(Setting.ACTIONS_CONFIRM_SECONDS, 5, 86_400)));
        }

        private Optional<HomeAssistantConfig> homeAssistant() {
            if (text(Setting.HOMEASSISTANT_URL).isBlank()) {
                return Optional.empty();
            }
            URI url = url(Setting.HOMEASSISTANT_URL, "http://homeassistant.local:8123");
            String token = text(Setting.HOMEASSISTANT_TOKEN);
            if (token.isBlank()) {
                throw new ConfigException(Setting.HOMEASSISTANT_TOKEN.key() + " is needed with "
                        + Setting.HOMEASSISTANT_URL.key() + ": create a long-lived access token in Home Assistant "
                        + "(your profile, Security tab) and set it in " + Setting.HOMEASSISTANT_TOKEN.envVar()
                        + " (or the configuration file; not as a flag, where other users of the machine see it)");
            }
            ActionPolicy policy = ActionPolicy.defaults();
            String file = text(Setting.HOMEASSISTANT_POLICY_FILE);
            if (!file.isBlank()) {
                try {
                    policy = ActionPolicy.fromFile(Path.of(file));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(Setting.HOMEASSISTANT_POLICY_FILE.key() + ": " + e.getMessage());
                }
            }
            return Optional.of(HomeAssistantConfig.of(url, token).withPolicy(policy).withTimes(
                    Duration.ofSeconds(integer(Setting.HOMEASSISTANT_TIMEOUT_SECONDS, 1, 600)),
                    Duration.ofMinutes(10)));
        }

        private boolean actionsAuto() {
            String v = text(Setting.ACTIONS_AUTO).toLowerCase(Locale.ROOT);
            if (!v.equals("true") && !v.equals("false")) {
                throw bad(Setting.ACTIONS_AUTO, "true or false");
            }
            if (v.equals("true") && text(Setting.HOMEASSISTANT_URL).isBlank()) {
                throw new ConfigException(Setting.ACTIONS_AUTO.key() + " (" + values.get(Setting.ACTIONS_AUTO)
                        .source() + ") is true but " + Setting.HOMEASSISTANT_URL.key() + " is not set: actions "
                        + "run in Home Assistant, so set its URL and token (see docs/home-assistant.md)");
            }
            return v.equals("true");
        }

        private Optional<LlamaCppConfig> llamaCpp() {
            String llm = text(Setting.LLM).toLowerCase(Locale.ROOT);
            if (llm.equals("ollama")) {
                return Optional.empty();
            }
            if (!llm.equals("llamacpp")) {
                throw bad(Setting.LLM, "ollama or llamacpp");
            }
            String model = text(Setting.LLAMACPP_MODEL);
            if (model.isBlank()) {
                throw bad(Setting.LLAMACPP_MODEL, "the path of a GGUF model file when llm is llamacpp");
            }
            int parallel = integer(Setting.LLAMACPP_PARALLEL, 1, 64);
            int context = integer(Setting.LLAMACPP_CONTEXT, 256, 1 << 20);
            if (context % parallel != 0) {
                throw bad(Setting.LLAMACPP_CONTEXT, "a multiple of llamacpp.parallel (" + parallel + ")");
            }
            return Optional.of(LlamaCppConfig.defaults(Path.of(model))
                    .withLimits(parallel, context, integer(Setting.LLAMACPP_MAX_TOKENS, 1, 1 << 20)));
        }

        private StoreConfig store() {
            Duration timeout = Duration.ofMillis(integer(Setting.STORE_TIMEOUT_MILLIS, 250, 600_000));
            String url = text(Setting.STORE_URL);
            if (url.isBlank()) {
                return StoreConfig.inDataDir(dataDir()).withConnectTimeout(timeout);
            }
            try {
                return StoreConfig.of(url, text(Setting.STORE_USER), text(Setting.STORE_PASSWORD))
                        .withConnectTimeout(timeout);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(Setting.STORE_URL.key() + " (" + values.get(Setting.STORE_URL).source()
                        + ") must be a jdbc:sqlite:FILE or jdbc:postgresql://HOST/DATABASE URL, got \""
                        + StoreConfig.redact(url) + "\"");
            }
        }

        private String text(Setting s) {
            return values.get(s).value();
        }

        private ConfigException bad(Setting s, String accepted) {
            Sourced v = values.get(s);
            return new ConfigException(s.key() + " (" + v.source() + ") must be " + accepted + ", got \""
                    + v.value() + "\"");
        }

        private String nonBlank(Setting s, String accepted) {
            String v = text(s);
            if (v.isBlank()) {
                throw bad(s, accepted);
            }
            return v;
        }

        private int integer(Setting s, int min, int max) {
            try {
                int v = Integer.parseInt(text(s));
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw bad(s, "a whole number from " + min + " to " + max);
        }

        private URI url(Setting s, String example) {
            try {
                URI u = new URI(text(s));
                String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
                if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null) {
                    return u;
                }
            } catch (java.net.URISyntaxException e) {
                // reported below
            }
            throw bad(s, "an http:// or https:// URL such as " + example);
        }

        private Path dataDir() {
            String v = text(Setting.DATA_DIR);
            if (!v.isBlank()) {
                return Path.of(v);
            }
            String xdg = env.get("XDG_DATA_HOME");
            if (xdg != null && !xdg.isBlank()) {
                return Path.of(xdg, "chatstream");
            }
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            return Path.of(home, ".local", "share", "chatstream");
        }

        private List<String> origins() {
            List<String> out = new ArrayList<>();
            for (String o : text(Setting.CORS_ORIGINS).split(",")) {
                String origin = o.strip();
                if (origin.isEmpty()) {
                    continue;
                }
                if (!origin.matches("https?://[^/\\s]+") && !origin.equals("*")) {
                    throw bad(Setting.CORS_ORIGINS,
                            "a comma-separated list of origins such as https://app.example.org (no path)");
                }
                out.add(origin);
            }
            return List.copyOf(out);
        }
    }

    private static Map<String, String> flags(List<String> args) {
        Map<String, String> flags = new java.util.LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new ConfigException("Flags look like --key=value (e.g. --port=8081), got \"" + arg + "\"");
            }
            int eq = arg.indexOf('=');
            flags.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return flags;
    }

    private static Properties readFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            return p;
        } catch (IOException e) {
            throw new ConfigException("Cannot read the configuration file " + file + ": " + e.getMessage());
        }
    }

    private static Optional<Setting> byKey(String key) {
        for (Setting s : Setting.values()) {
            if (s.key().equals(key)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private static String knownKeys() {
        return String.join(", ", java.util.Arrays.stream(Setting.values()).map(Setting::key).toList());
    }
}
