package dev.chatstream.redis;

import dev.chatstream.core.ConfigException;
import dev.chatstream.core.Settings;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What several nodes share through Redis: {@code redis.url} (without it, everything stays in each process, as on one
 * machine) and {@code redis.prefix}, what every key starts with.
 *
 * @param url    where Redis is
 * @param prefix the keys' prefix, so that several services can share one Redis
 */
public record RedisConfig(RedisUrl url, String prefix) {
    /** {@code redis.url}: {@code redis://[user:password@]host:port/db} ({@code rediss://} for TLS); empty for none. */
    public static final Settings.Key URL = new Settings.Key("redis.url", "");
    /** {@code redis.prefix}: what every key starts with. */
    public static final Settings.Key PREFIX = new Settings.Key("redis.prefix", "chatstream");
    public static final List<Settings.Key> KEYS = List.of(URL, PREFIX);

    public RedisConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(prefix, "prefix");
    }

    /**
     * The Redis settings, when {@code redis.url} is set.
     *
     * @throws ConfigException naming the key and where it came from, never quoting the URL (it may hold a password)
     */
    public static Optional<RedisConfig> from(Settings settings) {
        String url = settings.text(URL);
        if (url.isBlank()) {
            return Optional.empty();
        }
        String prefix = settings.text(PREFIX).strip();
        if (!prefix.matches("[A-Za-z0-9_.:-]{1,64}")) {
            throw settings.bad(PREFIX, "1 to 64 letters, digits, _ . : or -");
        }
        try {
            return Optional.of(new RedisConfig(RedisUrl.parse(url), prefix));
        } catch (ConfigException e) {
            throw new ConfigException(e.getMessage() + " (" + URL.name() + " from " + settings.source(URL) + ")");
        }
    }
}
