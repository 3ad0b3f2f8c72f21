package dev.chatstream.cache;

import java.time.Duration;
import java.util.Objects;

/**
 * The three caches chatstream keeps in front of its context ports. {@link #defaults()} are the figures in
 * {@code docs/caching.md}: base prompt 1 hour, a user's home 10 minutes, relevant memories 60 seconds.
 *
 * @param basePrompt  the base system prompt (one entry)
 * @param homeContext each user's home context, keyed by user
 * @param memories    relevant memories, keyed by user and normalised query
 */
public record CacheSettings(CacheSpec basePrompt, CacheSpec homeContext, CacheSpec memories) {
    private static final CacheSettings DEFAULTS = new CacheSettings(
            CacheSpec.of(Duration.ofHours(1), Duration.ofMinutes(15), 4),
            CacheSpec.of(Duration.ofMinutes(10), Duration.ofMinutes(5), 10_000),
            CacheSpec.of(Duration.ofSeconds(60), Duration.ofSeconds(60), 50_000));

    public CacheSettings {
        Objects.requireNonNull(basePrompt, "basePrompt");
        Objects.requireNonNull(homeContext, "homeContext");
        Objects.requireNonNull(memories, "memories");
    }

    /** Base prompt 1 h, home context 10 min, memories 60 s; each refreshed ahead at 80% of its ttl. */
    public static CacheSettings defaults() {
        return DEFAULTS;
    }

    /** These settings with another base prompt spec. */
    public CacheSettings withBasePrompt(CacheSpec spec) {
        return new CacheSettings(spec, homeContext, memories);
    }

    /** These settings with another home context spec. */
    public CacheSettings withHomeContext(CacheSpec spec) {
        return new CacheSettings(basePrompt, spec, memories);
    }

    /** These settings with another memories spec. */
    public CacheSettings withMemories(CacheSpec spec) {
        return new CacheSettings(basePrompt, homeContext, spec);
    }
}
