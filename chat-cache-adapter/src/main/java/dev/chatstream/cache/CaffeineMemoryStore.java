package dev.chatstream.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.chatstream.core.Memory;
import dev.chatstream.core.MemoryRecall;
import dev.chatstream.core.MemoryStore;
import dev.chatstream.core.UserId;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link MemoryStore} that caches another's {@link #relevant} answers per user and normalised query
 * (case, accents and punctuation folded by {@link MemoryRecall#normalise}, so "Lembras-te do meu
 * aniversário?" and "lembras te do meu aniversario" share an entry); the store is asked with the normalised
 * query. {@link #list}, {@link #add} and {@link #delete} go straight to the store, and {@code add} and
 * {@code delete} drop all of that user's cached answers before they return: a user never sees a memory they
 * deleted. Thread-safe.
 *
 * <p>Dropping is done by generation: every key carries its user's current generation, and a change moves
 * the user to a new, never used one. A lookup that was already running when the change happened can only
 * fill an entry under the old generation, which no later lookup asks for.
 */
public final class CaffeineMemoryStore implements MemoryStore, CacheStatistics {
    private record RecallKey(UserId user, long generation, String query, int limit) {
    }

    private final MemoryStore delegate;
    private final RefreshingCache<RecallKey, List<Memory>> relevant;
    private final Cache<UserId, Long> generations;
    private final AtomicLong nextGeneration = new AtomicLong();

    CaffeineMemoryStore(MemoryStore delegate, CacheSpec spec, Ticker ticker, Executor executor) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        Objects.requireNonNull(spec, "spec");
        this.relevant = new RefreshingCache<>("memories", spec,
                key -> List.copyOf(delegate.relevant(key.user(), key.query(), key.limit())), ticker, executor);
        // Forgetting a generation is always safe (a new one is never used before); this only bounds memory.
        this.generations = Caffeine.newBuilder()
                .ticker(ticker)
                .executor(executor)
                .maximumSize(spec.maximumSize())
                .expireAfterAccess(spec.ttl().plus(spec.grace()))
                .build();
    }

    /** Caches {@code delegate}'s relevant memories as {@code settings.memories()} says. */
    public static CaffeineMemoryStore wrap(MemoryStore delegate, CacheSettings settings) {
        return new CaffeineMemoryStore(delegate, settings.memories(), Ticker.systemTicker(), Reloads.EXECUTOR);
    }

    @Override
    public List<Memory> relevant(UserId user, String message, int limit) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(message, "message");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        String query = MemoryRecall.normalise(message);
        if (query.isEmpty()) {
            return List.of(); // no words, nothing to be relevant to
        }
        return relevant.get(new RecallKey(user, generation(user), query, limit));
    }

    @Override
    public Memory add(UserId user, String text) {
        try {
            return delegate.add(user, text);
        } finally {
            invalidate(user);
        }
    }

    @Override
    public List<Memory> list(UserId user) {
        return delegate.list(user);
    }

    @Override
    public boolean delete(UserId user, long memoryId) {
        try {
            return delegate.delete(user, memoryId);
        } finally {
            invalidate(user);
        }
    }

    /** Drops all of one user's cached answers, e.g. after changing memories behind this decorator's back. */
    public void invalidate(UserId user) {
        generations.put(Objects.requireNonNull(user, "user"), nextGeneration.incrementAndGet());
    }

    @Override
    public List<CacheStats> cacheStats() {
        return List.of(relevant.stats());
    }

    void cleanUp() {
        relevant.cleanUp();
    }

    private long generation(UserId user) {
        return generations.get(user, u -> nextGeneration.incrementAndGet());
    }
}
