package dev.chatstream.http;

import dev.chatstream.core.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the HTTP server itself is set to: where it listens, its limits and timeouts. Built and validated by the
 * composition from the settings in {@code docs/configuration.md}; every value is checked here too, so a bad one
 * fails at start, naming the field.
 *
 * @param host                 address to listen on
 * @param port                 TCP port, 0 for any free one
 * @param heartbeat            time between {@code : ping} comments on a quiet stream
 * @param maxBodyBytes         largest request body
 * @param ratePerMinute        chat requests per user per minute
 * @param rateBurst            chat requests a user may start at once
 * @param writesPerMinute      other changes (memories, context, conversations, action decisions) per user per minute
 * @param writesBurst          such changes a user may make at once
 * @param memoriesPerUser      memories one user may keep
 * @param bodyTimeout          longest reading one request body may take, from its first byte to its last
 * @param streamsPerUser       open streams per user
 * @param streamsTotal         open streams in all
 * @param maxStreamDuration    longest a stream may run
 * @param slowClientTimeout    longest a write may wait for a client that does not read
 * @param shutdownGrace        how long open streams get to close on shutdown
 * @param corsOrigins          origins allowed by CORS ({@code *} for any); empty for none
 * @param actionsAuto          whether the server runs the actions the model asks for; off: clients get them
 * @param actionConfirmTimeout how long a high-impact action waits for the user's confirmation
 * @param turns                how turns outlive their connections (resume.grace.seconds, resume.keep.seconds,
 *                             resume.memory.mb)
 * @param metricsToken         the bearer token {@code GET /metrics} asks for (never shown by {@link #toString})
 * @param clientSystem         whether a front door's client may send its own system messages (OpenAI's, Ollama's),
 *                             which are added after the base prompt; off: such a request is refused (400)
 */
public record HttpConfig(String host, int port, Duration heartbeat, int maxBodyBytes, int ratePerMinute,
        int rateBurst, int writesPerMinute, int writesBurst, int memoriesPerUser, Duration bodyTimeout, int streamsPerUser, int streamsTotal, Duration maxStreamDuration, Duration slowClientTimeout,
        Duration shutdownGrace, List<String> corsOrigins, boolean actionsAuto, Duration actionConfirmTimeout,
        dev.chatstream.core.Turns.Settings turns, ScrapeToken metricsToken, boolean clientSystem) {

    public HttpConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must be an address such as 127.0.0.1, got \"" + host + "\"");
        }
        require(port >= 0 && port <= 65_535, "port", port);
        positive(heartbeat, "heartbeat");
        require(maxBodyBytes > 0, "maxBodyBytes", maxBodyBytes);
        require(ratePerMinute > 0, "ratePerMinute", ratePerMinute);
        require(rateBurst > 0, "rateBurst", rateBurst);
        require(writesPerMinute > 0, "writesPerMinute", writesPerMinute);
        require(writesBurst > 0, "writesBurst", writesBurst);
        require(memoriesPerUser > 0, "memoriesPerUser", memoriesPerUser);
        positive(bodyTimeout, "bodyTimeout");
        require(streamsPerUser > 0, "streamsPerUser", streamsPerUser);
        require(streamsTotal > 0, "streamsTotal", streamsTotal);
        positive(maxStreamDuration, "maxStreamDuration");
        positive(slowClientTimeout, "slowClientTimeout");
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must be zero or more, got " + shutdownGrace);
        }
        corsOrigins = List.copyOf(corsOrigins);
        positive(actionConfirmTimeout, "actionConfirmTimeout");
        java.util.Objects.requireNonNull(turns, "turns");
        java.util.Objects.requireNonNull(metricsToken, "metricsToken");
    }

    /**
     * The secret {@code GET /metrics} asks for; empty for none. Its {@link #toString} never shows it, so neither does
     * the config's.
     *
     * @param value printable ASCII without spaces, or empty
     */
    public record ScrapeToken(String value) {
        public ScrapeToken {
            if (value == null || value.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                throw new IllegalArgumentException("the metrics token must be printable ASCII without spaces");
            }
        }

        @Override
        public String toString() {
            return value.isEmpty() ? "(none)" : "(hidden)";
        }
    }


    /** {@code host}: the address to listen on. */
    public static final Settings.Key HOST = new Settings.Key("host", "127.0.0.1");
    /** {@code port}: the TCP port, 0 for any free one. */
    public static final Settings.Key PORT = new Settings.Key("port", "8080");
    /** {@code heartbeat.seconds}: time between pings on a quiet stream. */
    public static final Settings.Key HEARTBEAT_SECONDS = new Settings.Key("heartbeat.seconds", "15");
    /** {@code limits.body.bytes}: the largest request body. */
    public static final Settings.Key MAX_BODY_BYTES = new Settings.Key("limits.body.bytes", "1048576");
    /** {@code limits.rate.per.minute}: chat requests per user per minute. */
    public static final Settings.Key RATE_PER_MINUTE = new Settings.Key("limits.rate.per.minute", "30");
    /** {@code limits.rate.burst}: chat requests a user may start at once. */
    public static final Settings.Key RATE_BURST = new Settings.Key("limits.rate.burst", "10");
    /** {@code limits.writes.per.minute}: changes other than chats, per user per minute. */
    public static final Settings.Key WRITES_PER_MINUTE = new Settings.Key("limits.writes.per.minute", "60");
    /** {@code limits.writes.burst}: such changes a user may make at once. */
    public static final Settings.Key WRITES_BURST = new Settings.Key("limits.writes.burst", "20");
    /** {@code limits.memories.per.user}: memories one user may keep. */
    public static final Settings.Key MEMORIES_PER_USER = new Settings.Key("limits.memories.per.user", "1000");
    /** {@code limits.body.seconds}: the longest reading one request body may take. */
    public static final Settings.Key BODY_SECONDS = new Settings.Key("limits.body.seconds", "20");
    /** {@code limits.streams.per.user}: open streams per user. */
    public static final Settings.Key STREAMS_PER_USER = new Settings.Key("limits.streams.per.user", "4");
    /** {@code limits.streams.total}: open streams in all. */
    public static final Settings.Key STREAMS_TOTAL = new Settings.Key("limits.streams.total", "1024");
    /** {@code limits.stream.seconds}: the longest a stream may run. */
    public static final Settings.Key MAX_STREAM_SECONDS = new Settings.Key("limits.stream.seconds", "600");
    /** {@code slow.client.seconds}: the longest one write may wait for a client that does not read. */
    public static final Settings.Key SLOW_CLIENT_SECONDS = new Settings.Key("slow.client.seconds", "30");
    /** {@code shutdown.seconds}: how long open streams get to end on shutdown. */
    public static final Settings.Key SHUTDOWN_SECONDS = new Settings.Key("shutdown.seconds", "10");
    /** {@code cors.origins}: origins allowed by CORS, comma-separated. */
    public static final Settings.Key CORS_ORIGINS = new Settings.Key("cors.origins", "");
    /** {@code actions.auto}: whether the server runs the actions the model asks for. */
    public static final Settings.Key ACTIONS_AUTO = new Settings.Key("actions.auto", "false");
    /** {@code actions.confirm.seconds}: how long a high-impact action waits for confirmation. */
    public static final Settings.Key ACTIONS_CONFIRM_SECONDS = new Settings.Key("actions.confirm.seconds", "120");
    /** {@code resume.grace.seconds}: how long a resumable turn runs with nobody attached. */
    public static final Settings.Key RESUME_GRACE_SECONDS = new Settings.Key("resume.grace.seconds", "30");
    /** {@code resume.keep.seconds}: how long a turn's events are kept after it ended. */
    public static final Settings.Key RESUME_KEEP_SECONDS = new Settings.Key("resume.keep.seconds", "120");
    /** {@code resume.memory.mb}: about how much memory the kept events of ended turns may take. */
    public static final Settings.Key RESUME_MEMORY_MB = new Settings.Key("resume.memory.mb", "64");
    /** {@code metrics.token}: the bearer token {@code GET /metrics} asks for; empty for none. */
    public static final Settings.Key METRICS_TOKEN = new Settings.Key("metrics.token", "");
    /**
     * {@code client.system}: what a front door does with a client's own system messages: {@code append} them after the
     * base prompt, or {@code refuse} the request.
     */
    public static final Settings.Key CLIENT_SYSTEM = new Settings.Key("client.system", "append");
    /** The settings the server reads, {@code host} and {@code port} first. */
    public static final List<Settings.Key> KEYS = List.of(HOST, PORT, HEARTBEAT_SECONDS, MAX_BODY_BYTES,
            RATE_PER_MINUTE, RATE_BURST, WRITES_PER_MINUTE, WRITES_BURST, MEMORIES_PER_USER, BODY_SECONDS, STREAMS_PER_USER, STREAMS_TOTAL, MAX_STREAM_SECONDS, SLOW_CLIENT_SECONDS,
            SHUTDOWN_SECONDS, CORS_ORIGINS, ACTIONS_AUTO, ACTIONS_CONFIRM_SECONDS, RESUME_GRACE_SECONDS,
            RESUME_KEEP_SECONDS, RESUME_MEMORY_MB, METRICS_TOKEN, CLIENT_SYSTEM);

    /**
     * The server's settings.
     *
     * @throws dev.chatstream.core.ConfigException naming the key, its source and the accepted values when one is wrong
     */
    public static HttpConfig from(Settings s) {
        String host = s.text(HOST);
        if (host.isBlank()) {
            throw s.bad(HOST, "an address such as 127.0.0.1 or 0.0.0.0");
        }
        return new HttpConfig(host, s.integer(PORT, 0, 65_535),
                Duration.ofSeconds(s.integer(HEARTBEAT_SECONDS, 1, 300)),
                s.integer(MAX_BODY_BYTES, 1_024, 64 * 1024 * 1024),
                s.integer(RATE_PER_MINUTE, 1, 1_000_000),
                s.integer(RATE_BURST, 1, 1_000_000),
                s.integer(WRITES_PER_MINUTE, 1, 1_000_000),
                s.integer(WRITES_BURST, 1, 1_000_000),
                s.integer(MEMORIES_PER_USER, 1, 1_000_000),
                Duration.ofSeconds(s.integer(BODY_SECONDS, 1, 3_600)),
                s.integer(STREAMS_PER_USER, 1, 1_000_000),
                s.integer(STREAMS_TOTAL, 1, 1_000_000),
                Duration.ofSeconds(s.integer(MAX_STREAM_SECONDS, 1, 86_400)),
                Duration.ofSeconds(s.integer(SLOW_CLIENT_SECONDS, 1, 3_600)),
                Duration.ofSeconds(s.integer(SHUTDOWN_SECONDS, 0, 600)),
                origins(s),
                s.bool(ACTIONS_AUTO),
                Duration.ofSeconds(s.integer(ACTIONS_CONFIRM_SECONDS, 5, 86_400)),
                new dev.chatstream.core.Turns.Settings(Duration.ofSeconds(s.integer(RESUME_GRACE_SECONDS, 0, 3_600)),
                        Duration.ofSeconds(s.integer(RESUME_KEEP_SECONDS, 0, 86_400)),
                        (long) s.integer(RESUME_MEMORY_MB, 1, 65_536) << 20, Duration.ofMinutes(10)),
                metricsToken(s), clientSystem(s));
    }

    private static boolean clientSystem(Settings s) {
        return switch (s.text(CLIENT_SYSTEM).strip()) {
            case "append" -> true;
            case "refuse" -> false;
            default -> throw s.bad(CLIENT_SYSTEM, "append (a client's system messages follow the base prompt) or "
                    + "refuse (such requests get 400)");
        };
    }

    private static ScrapeToken metricsToken(Settings s) {
        String token = s.text(METRICS_TOKEN).strip();
        if (token.chars().anyMatch(c -> c <= ' ' || c > '~') || (!token.isEmpty() && token.length() < 16)) {
            // not s.bad: that would echo the secret into the log
            throw new dev.chatstream.core.ConfigException(METRICS_TOKEN.name() + " (" + s.source(METRICS_TOKEN)
                    + ") must be empty, or a secret of at least 16 printable ASCII characters without spaces (e.g. "
                    + "from: openssl rand -hex 24); the value given is not shown");
        }
        return new ScrapeToken(token);
    }

    private static List<String> origins(Settings s) {
        List<String> out = new ArrayList<>();
        for (String o : s.text(CORS_ORIGINS).split(",")) {
            String origin = o.strip();
            if (origin.isEmpty()) {
                continue;
            }
            if (!origin.matches("https?://[^/\\s]+") && !origin.equals("*")) {
                throw s.bad(CORS_ORIGINS, "a comma-separated list of origins such as https://app.example.org (no path)");
            }
            out.add(origin);
        }
        return List.copyOf(out);
    }

    private static void require(boolean ok, String field, int value) {
        if (!ok) {
            throw new IllegalArgumentException(field + " is out of range: " + value);
        }
    }

    private static void positive(Duration d, String field) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + " must be a positive duration, got " + d);
        }
    }
}
