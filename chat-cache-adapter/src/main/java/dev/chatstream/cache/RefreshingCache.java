package dev.chatstream.cache;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * One Caffeine cache with chatstream's rules ({@link CacheSpec}): fresh for the ttl, reloaded in the
 * background once older than refreshAfter, the last good value served for a bounded grace while reloads
 * fail, one load per missing key however many callers wait for it. Counts what it does for
 * {@link CacheStats}. Thread-safe.
 *
 * <p>Caffeine holds each entry until {@code loadedAt + ttl + grace}; whether an entry it returns is fresh,
 * due for a refresh, or only servable because reloads fail is decided here from the entry's own stamp.
 */
final class RefreshingCache<K, V> {
    private static final System.Logger LOG = System.getLogger(RefreshingCache.class.getName());

    /** A value, the ticker time its load started, and whether a reload has failed since. */
    private record Entry<V>(V value, long loadedAt, boolean failing) {
        Entry<V> failed() {
            return failing ? this : new Entry<>(value, loadedAt, true);
        }
    }

    private final String name;
    private final CacheSpec spec;
    private final Function<K, V> loader;
    private final Ticker ticker;
    private final long ttl;
    private final long refreshAfter;
    private final long lifetime;
    private final LoadingCache<K, Entry<V>> cache;

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder loadSuccesses = new LongAdder();
    private final LongAdder loadFailures = new LongAdder();
    private final LongAdder loadNanos = new LongAdder();
    private final LongAdder refreshes = new LongAdder();
    private final LongAdder staleServed = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    RefreshingCache(String name, CacheSpec spec, Function<K, V> loader, Ticker ticker, Executor executor) {
        this.name = name;
        this.spec = spec;
        this.loader = loader;
        this.ticker = ticker;
        this.ttl = nanos(spec.ttl());
        this.refreshAfter = nanos(spec.refreshAfter());
        this.lifetime = saturatedAdd(ttl, nanos(spec.grace()));
        this.cache = Caffeine.newBuilder()
                .ticker(ticker)
                .executor(executor)
                .maximumSize(spec.maximumSize())
                .expireAfter(new Lifetime())
                .evictionListener((K key, Entry<V> entry, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                    if (cause.wasEvicted()) {
                        evictions.increment();
                    }
                })
                .build(new Loader());
    }

    /**
     * The value for {@code key}: cached if fresh, cached while a reload runs if due, loaded now if missing
     * or expired.
     *
     * @throws RuntimeException what the loader threw, when there is no value to fall back on
     */
    V get(K key) {
        Entry<V> entry = cache.getIfPresent(key);
        if (entry == null) {
            misses.increment();
            return cache.get(key).value();
        }
        long age = ticker.read() - entry.loadedAt();
        if (age < refreshAfter) {
            hits.increment();
            return entry.value();
        }
        if (age < ttl) {
            hits.increment();
            cache.refresh(key);
            return entry.value();
        }
        if (entry.failing()) {
            hits.increment();
            staleServed.increment();
            cache.refresh(key);
            return entry.value();
        }
        misses.increment();
        return reloadNow(key, entry).value();
    }

    /** Drops the entry for {@code key}, and any reload of it in flight, at once. */
    void invalidate(K key) {
        cache.invalidate(key);
    }

    /** Drops every entry. */
    void invalidateAll() {
        cache.invalidateAll();
    }

    /** Runs pending evictions now (tests use this instead of waiting for Caffeine's maintenance). */
    void cleanUp() {
        cache.cleanUp();
    }

    CacheStats stats() {
        return new CacheStats(name, hits.sum(), misses.sum(), loadSuccesses.sum(), loadFailures.sum(),
                Duration.ofNanos(loadNanos.sum()), refreshes.sum(), staleServed.sum(), evictions.sum(),
                cache.estimatedSize());
    }

    /**
     * Replaces an expired entry that nobody refreshed in time. Callers of one key queue on Caffeine's
     * per-key lock; the first loads, the rest find its result, so an expiry causes one load, not a stampede.
     */
    private Entry<V> reloadNow(K key, Entry<V> seen) {
        return cache.asMap().compute(key, (k, current) -> {
            if (current != null && current != seen) {
                return current;
            }
            try {
                return load(k);
            } catch (RuntimeException e) {
                if (current == null) {
                    throw e;
                }
                reportFailure(current, e);
                return current.failed();
            }
        });
    }

    private Entry<V> load(K key) {
        long start = ticker.read();
        try {
            V value = Objects.requireNonNull(loader.apply(key), () -> "the " + name + " loader returned null");
            loadSuccesses.increment();
            return new Entry<>(value, start, false);
        } catch (RuntimeException | Error e) {
            loadFailures.increment();
            throw e;
        } finally {
            loadNanos.add(ticker.read() - start);
        }
    }

    private void reportFailure(Entry<V> kept, RuntimeException e) {
        if (!kept.failing()) {
            LOG.log(Level.WARNING, () -> "The " + name + " cache could not reload an entry (" + e
                    + "); serving its last good value for at most " + spec.grace() + " past its ttl of "
                    + spec.ttl());
        } else {
            LOG.log(Level.DEBUG, () -> "The " + name + " cache still cannot reload an entry: " + e);
        }
    }

    private final class Loader implements CacheLoader<K, Entry<V>> {
        @Override
        public Entry<V> load(K key) {
            return RefreshingCache.this.load(key);
        }

        @Override
        public Entry<V> reload(K key, Entry<V> old) {
            refreshes.increment();
            try {
                Entry<V> fresh = RefreshingCache.this.load(key);
                if (old.failing()) {
                    LOG.log(Level.INFO, () -> "The " + name + " cache reloads again");
                }
                return fresh;
            } catch (RuntimeException e) {
                reportFailure(old, e);
                return old.failed();
            }
        }
    }

    /** Caffeine keeps an entry until its load time plus ttl plus grace; a failed reload does not extend it. */
    private final class Lifetime implements Expiry<K, Entry<V>> {
        @Override
        public long expireAfterCreate(K key, Entry<V> entry, long now) {
            return remaining(entry, now);
        }

        @Override
        public long expireAfterUpdate(K key, Entry<V> entry, long now, long currentDuration) {
            return remaining(entry, now);
        }

        @Override
        public long expireAfterRead(K key, Entry<V> entry, long now, long currentDuration) {
            return currentDuration;
        }

        private long remaining(Entry<V> entry, long now) {
            return Math.max(0, saturatedAdd(entry.loadedAt(), lifetime) - now);
        }
    }

    private static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
