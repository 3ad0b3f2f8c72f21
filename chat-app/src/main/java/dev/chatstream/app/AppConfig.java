package dev.chatstream.app;

import dev.chatstream.core.ChatSettings;
import dev.chatstream.core.ConfigException;
import dev.chatstream.core.Settings;
import dev.chatstream.homeassistant.HomeAssistantConfig;
import dev.chatstream.redis.RedisConfig;
import dev.chatstream.http.HttpConfig;
import dev.chatstream.llamacpp.LlamaCppConfig;
import dev.chatstream.ollama.OllamaConfig;
import dev.chatstream.openai.OpenAiConfig;
import dev.chatstream.store.StoreConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * chatstream's settings, validated, as each part's own config record: the server's, the core's limits, the LLM's,
 * Home Assistant's and the store's. Each part declares its keys and reads its own section ({@code HttpConfig.from},
 * {@code OllamaConfig.from}...); this record adds the composition's own choices ({@code llm}, {@code data.dir},
 * {@code system.prompt.file}) and what spans parts ({@code actions.auto} needs Home Assistant). Values come from,
 * lowest precedence first: defaults, a properties file ({@code --config=FILE} or {@code CHATSTREAM_CONFIG}),
 * environment variables ({@code CHATSTREAM_PORT}), and flags ({@code --port=8081}) ({@link Settings#load}). Every
 * key is listed in {@code docs/configuration.md}.
 *
 * @param http             the HTTP server's settings
 * @param chat             the core's limits (message and history sizes)
 * @param ollama           how to reach Ollama (used unless {@code llamaCpp} or {@code openAi} is present)
 * @param llamaCpp         with {@code llm = llamacpp}: the GGUF model run in-process instead of Ollama
 * @param openAi           with {@code llm = openai}: the OpenAI-compatible server chats go to instead of Ollama
 * @param backends         with {@code llm.backends}: the pool of Ollama and OpenAI-compatible servers chats go to
 *                         instead of any one of the above; empty for one backend
 * @param homeAssistant    with {@code homeassistant.url}: the installation whose devices prompts list and whose
 *                         services actions call
 * @param redis            with {@code redis.url}: the Redis several nodes share their limits through; empty for one node
 * @param store            the database: SQLite in {@code dataDir} by default, or PostgreSQL by JDBC URL
 * @param dataDir          where local data lives (the SQLite store, the interactive chat's line history)
 * @param systemPromptFile the base prompt file, if not the built-in prompt
 */
public record AppConfig(HttpConfig http, ChatSettings chat, OllamaConfig ollama, Optional<LlamaCppConfig> llamaCpp,
        Optional<OpenAiConfig> openAi, List<BackendSpec> backends, Optional<HomeAssistantConfig> homeAssistant, Optional<RedisConfig> redis, StoreConfig store, Path dataDir,
        Optional<Path> systemPromptFile) {

    /** {@code llm}: {@code ollama}, {@code llamacpp} or {@code openai}. */
    static final Settings.Key LLM = new Settings.Key("llm", "ollama");
    /** {@code data.dir}: where local data lives; empty for {@code $XDG_DATA_HOME/chatstream}. */
    static final Settings.Key DATA_DIR = new Settings.Key("data.dir", "");
    /** {@code system.prompt.file}: the base prompt, if not the built-in one. */
    static final Settings.Key SYSTEM_PROMPT_FILE = new Settings.Key("system.prompt.file", "");

    /** Every key of every part, in the order errors list them. */
    static final List<Settings.Key> KEYS = Settings.all(List.of(HttpConfig.KEYS, OllamaConfig.KEYS, List.of(LLM),
            LlamaCppConfig.KEYS, OpenAiConfig.KEYS, List.of(BackendSpec.BACKENDS), HomeAssistantConfig.KEYS, List.of(DATA_DIR, SYSTEM_PROMPT_FILE), ChatSettings.KEYS,
            StoreConfig.KEYS, RedisConfig.KEYS));

    public AppConfig {
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(chat, "chat");
        Objects.requireNonNull(ollama, "ollama");
        Objects.requireNonNull(llamaCpp, "llamaCpp");
        Objects.requireNonNull(openAi, "openAi");
        backends = List.copyOf(Objects.requireNonNull(backends, "backends"));
        if ((llamaCpp.isPresent() ? 1 : 0) + (openAi.isPresent() ? 1 : 0) + (backends.isEmpty() ? 0 : 1) > 1) {
            throw new IllegalArgumentException("one choice of LLM at a time: llamaCpp, openAi or backends");
        }
        Objects.requireNonNull(homeAssistant, "homeAssistant");
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(systemPromptFile, "systemPromptFile");
        if (http.actionsAuto() && homeAssistant.isEmpty()) {
            throw new ConfigException(HttpConfig.ACTIONS_AUTO.name() + " is true but " + HomeAssistantConfig.URL.name()
                    + " is not set: actions run in Home Assistant, so set its URL and token (see docs/home-assistant.md)");
        }
    }

    /**
     * Reads flags and environment variables (and the file they name) over the defaults.
     *
     * @throws ConfigException naming the key, its source and the accepted values when one is wrong
     */
    public static AppConfig load(List<String> args, Map<String, String> env) {
        Settings s = Settings.load(KEYS, args, env);
        HttpConfig http = HttpConfig.from(s);
        Optional<HomeAssistantConfig> homeAssistant = HomeAssistantConfig.from(s);
        if (http.actionsAuto() && homeAssistant.isEmpty()) {
            throw new ConfigException(HttpConfig.ACTIONS_AUTO.name() + " (" + s.source(HttpConfig.ACTIONS_AUTO)
                    + ") is true but " + HomeAssistantConfig.URL.name() + " is not set: actions run in Home Assistant, "
                    + "so set its URL and token (see docs/home-assistant.md)");
        }
        Path dataDir = dataDir(s, env);
        String llm = llm(s);
        List<BackendSpec> backends = BackendSpec.from(s);
        if (!backends.isEmpty() && llm.equals("llamacpp")) {
            throw new ConfigException(BackendSpec.BACKENDS.name() + " (" + s.source(BackendSpec.BACKENDS) + ") lists "
                    + "servers to share the chats, but " + LLM.name() + " (" + s.source(LLM) + ") is llamacpp, one "
                    + "model in this process: set one or the other");
        }
        boolean pool = !backends.isEmpty();
        return new AppConfig(http, ChatSettings.from(s), OllamaConfig.from(s),
                llm.equals("llamacpp") ? Optional.of(LlamaCppConfig.from(s)) : Optional.empty(),
                llm.equals("openai") && !pool ? Optional.of(OpenAiConfig.from(s)) : Optional.empty(), backends,
                homeAssistant, RedisConfig.from(s),
                StoreConfig.from(s, dataDir), dataDir, s.optional(SYSTEM_PROMPT_FILE).map(Path::of));
    }

    /**
     * Where chats go, for people: {@code Ollama http://..., model llama3.2}, {@code llama.cpp in-process, model FILE}
     * or {@code OpenAI-compatible server http://.../v1, model NAME}.
     */
    public String describeLlm() {
        if (!backends.isEmpty()) {
            return "a pool of " + backends.size() + " backend" + (backends.size() == 1 ? "" : "s") + ": "
                    + String.join(", ", backends.stream().map(BackendSpec::describe).toList());
        }
        if (openAi.isPresent()) {
            OpenAiConfig o = openAi.get();
            return "OpenAI-compatible server " + o.baseUrl() + ", model "
                    + (o.model().isEmpty() ? "the first it lists" : o.model());
        }
        return llamaCpp.map(l -> "llama.cpp in-process, model " + l.model())
                .orElse("Ollama " + ollama.baseUrl() + ", model " + ollama.model());
    }

    /** Where chats' home context comes from, for people: {@code Home Assistant http://... (actions run: yes)}. */
    public String describeHome() {
        return homeAssistant.map(h -> "Home Assistant " + h.baseUrl() + (http.actionsAuto()
                ? ", actions run by the server" : ", actions left to clients")).orElse("stored home context");
    }

    private static String llm(Settings s) {
        String llm = s.text(LLM).toLowerCase(java.util.Locale.ROOT);
        if (!List.of("ollama", "llamacpp", "openai").contains(llm)) {
            throw s.bad(LLM, "ollama, llamacpp (a GGUF file in-process) or openai (any OpenAI-compatible server)");
        }
        return llm;
    }

    private static Path dataDir(Settings s, Map<String, String> env) {
        Optional<String> set = s.optional(DATA_DIR);
        if (set.isPresent()) {
            return Path.of(set.get());
        }
        String xdg = env.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "chatstream");
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".local", "share", "chatstream");
    }
}
