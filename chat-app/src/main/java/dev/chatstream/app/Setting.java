package dev.chatstream.app;

/**
 * Every configuration key of the server: its name in a file and as a flag ({@code --key=value}), its
 * environment variable and its default. What each means is in {@code docs/configuration.md}; a test keeps
 * the keys, variables and defaults there in step with this list.
 */
enum Setting {
    HOST("host", "127.0.0.1"),
    PORT("port", "8080"),
    OLLAMA_URL("ollama.url", "http://127.0.0.1:11434"),
    OLLAMA_FIRST_TOKEN_SECONDS("ollama.first.token.seconds", "120"),
    OLLAMA_IDLE_SECONDS("ollama.idle.seconds", "30"),
    MODEL("model", "llama3.2"),
    LLM("llm", "ollama"),
    LLAMACPP_MODEL("llamacpp.model", ""),
    LLAMACPP_PARALLEL("llamacpp.parallel", "2"),
    LLAMACPP_CONTEXT("llamacpp.context", "4096"),
    LLAMACPP_MAX_TOKENS("llamacpp.max.tokens", "512"),
    HOMEASSISTANT_URL("homeassistant.url", ""),
    HOMEASSISTANT_TOKEN("homeassistant.token", ""),
    HOMEASSISTANT_POLICY_FILE("homeassistant.policy.file", ""),
    HOMEASSISTANT_TIMEOUT_SECONDS("homeassistant.timeout.seconds", "10"),
    ACTIONS_AUTO("actions.auto", "false"),
    ACTIONS_CONFIRM_SECONDS("actions.confirm.seconds", "120"),
    HEARTBEAT_SECONDS("heartbeat.seconds", "15"),
    DATA_DIR("data.dir", ""),
    SYSTEM_PROMPT_FILE("system.prompt.file", ""),
    MAX_BODY_BYTES("limits.body.bytes", "1048576"),
    MAX_MESSAGE_CHARS("limits.message.chars", "8000"),
    MAX_HISTORY_ITEMS("limits.history.items", "100"),
    RATE_PER_MINUTE("limits.rate.per.minute", "30"),
    RATE_BURST("limits.rate.burst", "10"),
    STREAMS_PER_USER("limits.streams.per.user", "4"),
    STREAMS_TOTAL("limits.streams.total", "1024"),
    MAX_STREAM_SECONDS("limits.stream.seconds", "600"),
    SLOW_CLIENT_SECONDS("slow.client.seconds", "30"),
    SHUTDOWN_SECONDS("shutdown.seconds", "10"),
    CORS_ORIGINS("cors.origins", ""),
    STORE_URL("store.url", ""),
    STORE_USER("store.user", ""),
    STORE_PASSWORD("store.password", ""),
    STORE_TIMEOUT_MILLIS("store.timeout.millis", "5000");

    private final String key;
    private final String defaultValue;

    Setting(String key, String defaultValue) {
        this.key = key;
        this.defaultValue = defaultValue;
    }

    String key() {
        return key;
    }

    /** {@code CHATSTREAM_} and the key in upper case with dots as underscores. */
    String envVar() {
        return "CHATSTREAM_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
    }

    String defaultValue() {
        return defaultValue;
    }
}
