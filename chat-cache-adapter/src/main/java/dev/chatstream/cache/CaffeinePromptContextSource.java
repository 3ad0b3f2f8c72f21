package dev.chatstream.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.chatstream.core.HomeContext;
import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.PromptContextSource;
import dev.chatstream.core.UserId;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * A {@link PromptContextSource} that caches another: the base prompt as one entry, each user's home keyed
 * by that user (no key can return one user's home to another). Entries follow their {@link CacheSpec}:
 * refreshed in the background before they expire, the last good value kept for a bounded grace while the
 * source fails, a clear error from the source when nothing is cached.
 *
 * <p>Changes to homes must reach the cache: write them through {@link #homeContextStore(HomeContextStore)}
 * or call {@link #invalidate(UserId)}. Thread-safe.
 */
public final class CaffeinePromptContextSource implements PromptContextSource, CacheStatistics {
    private enum BaseKey { PROMPT }

    private final RefreshingCache<BaseKey, String> base;
    private final RefreshingCache<UserId, HomeContext> homes;

    CaffeinePromptContextSource(PromptContextSource delegate, CacheSettings settings, Ticker ticker,
            Executor executor) {
        Objects.requireNonNull(delegate, "delegate");
        Objects.requireNonNull(settings, "settings");
        this.base = new RefreshingCache<>("base_prompt", settings.basePrompt(),
                key -> delegate.baseSystemPrompt(), ticker, executor);
        this.homes = new RefreshingCache<>("home_context", settings.homeContext(), delegate::homeContext,
                ticker, executor);
    }

    /** Caches {@code delegate} as {@code settings} say; background reloads run on virtual threads. */
    public static CaffeinePromptContextSource wrap(PromptContextSource delegate, CacheSettings settings) {
        return new CaffeinePromptContextSource(delegate, settings, Ticker.systemTicker(), Reloads.EXECUTOR);
    }

    @Override
    public String baseSystemPrompt() {
        return base.get(BaseKey.PROMPT);
    }

    @Override
    public HomeContext homeContext(UserId user) {
        return homes.get(Objects.requireNonNull(user, "user"));
    }

    /**
     * {@code store} with its reads served by this cache and each write dropping the user's cached home at
     * once. {@code store} must be where this source's delegate reads homes from.
     */
    public HomeContextStore homeContextStore(HomeContextStore store) {
        return new CachedHomeContextStore(this, Objects.requireNonNull(store, "store"));
    }

    /** Drops one user's cached home, so the next prompt loads it again. */
    public void invalidate(UserId user) {
        homes.invalidate(Objects.requireNonNull(user, "user"));
    }

    /** Drops everything cached, the base prompt included (e.g. after editing the prompt file). */
    public void invalidateAll() {
        base.invalidateAll();
        homes.invalidateAll();
    }

    @Override
    public List<CacheStats> cacheStats() {
        return List.of(base.stats(), homes.stats());
    }

    void cleanUp() {
        base.cleanUp();
        homes.cleanUp();
    }
}
