package dev.chatstream.http;

/**
 * Every configuration key of the server: its name in a file and as a flag ({@code --key=value}), its
 * environment variable, its default and what it means. {@code docs/configuration.md} lists the same keys;
 * a test keeps the two in step.
 */
enum Setting {
    HOST("host", "127.0.0.1", "address to listen on; 0.0.0.0 for every interface"),
    PORT("port", "8080", "TCP port to listen on, 0 to 65535 (0 picks a free one)"),
    OLLAMA_URL("ollama.url", "http://127.0.0.1:11434", "base URL of the Ollama server"),
    MODEL("model", "llama3.2", "the Ollama model every chat uses"),
    HEARTBEAT_SECONDS("heartbeat.seconds", "15", "seconds between `: ping` comments on a quiet stream, 1 to 300"),
    DATA_DIR("data.dir", "", "directory for the token file and, later, the database; default "
            + "$XDG_DATA_HOME/chatstream or ~/.local/share/chatstream"),
    SYSTEM_PROMPT_FILE("system.prompt.file", "", "a UTF-8 file with the base system prompt; empty for the "
            + "built-in prompt"),
    MAX_BODY_BYTES("limits.body.bytes", "1048576", "largest request body in bytes (413 above it)"),
    MAX_MESSAGE_CHARS("limits.message.chars", "8000", "longest message in characters (400 above it)"),
    MAX_HISTORY_ITEMS("limits.history.items", "100", "most history items in one request (400 above it)"),
    RATE_PER_MINUTE("limits.rate.per.minute", "30", "chat requests each user may start per minute, on "
            + "average (429 with Retry-After above it)"),
    RATE_BURST("limits.rate.burst", "10", "chat requests a user may start at once before the rate applies"),
    STREAMS_PER_USER("limits.streams.per.user", "4", "open streams per user (429 above it)"),
    STREAMS_TOTAL("limits.streams.total", "1024", "open streams in all (503 above it)"),
    MAX_STREAM_SECONDS("limits.stream.seconds", "600", "longest a stream may run; then an error event with "
            + "code timeout and the upstream closed"),
    SLOW_CLIENT_SECONDS("slow.client.seconds", "30", "how long a write may wait for a client that stopped "
            + "reading before the stream is closed"),
    SHUTDOWN_SECONDS("shutdown.seconds", "10", "on SIGTERM, how long open streams get to close"),
    CORS_ORIGINS("cors.origins", "", "comma-separated origins allowed to call the API from a browser "
            + "(e.g. https://app.example.org); empty: CORS off");

    private final String key;
    private final String defaultValue;
    private final String meaning;

    Setting(String key, String defaultValue, String meaning) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.meaning = meaning;
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

    String meaning() {
        return meaning;
    }
}
