package dev.chatstream.app;

import dev.chatstream.cache.CacheStatistics;
import dev.chatstream.cache.CacheStats;
import dev.chatstream.core.Measured;
import dev.chatstream.core.Meters;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The caches' figures for the server's metrics, per cache ({@code cache} tag): hits, misses, evictions, stale
 * reads served, hit ratio and load time. Each is read from a fresh snapshot at every scrape.
 */
final class CacheFigures implements Measured {
    private final CacheStatistics source;

    private CacheFigures(CacheStatistics source) {
        this.source = source;
    }

    static Measured of(CacheStatistics source) {
        return new CacheFigures(source);
    }

    @Override
    public void describeTo(Meters meters) {
        for (CacheStats first : source.cacheStats()) {
            String cache = first.name();
            Map<String, String> tags = Map.of("cache", cache);
            meters.counter("chatstream.cache.hits", "Reads answered from the cache", tags, read(cache, CacheStats::hits));
            meters.counter("chatstream.cache.misses", "Reads that waited for a load", tags,
                    read(cache, CacheStats::misses));
            meters.counter("chatstream.cache.evictions", "Entries evicted for size or age", tags,
                    read(cache, CacheStats::evictions));
            meters.counter("chatstream.cache.stale.served", "Reads served past the ttl because reloads failed", tags,
                    read(cache, CacheStats::staleServed));
            meters.gauge("chatstream.cache.hit.ratio", "Hits over reads since start", tags,
                    read(cache, CacheStats::hitRate));
            meters.gauge("chatstream.cache.load.seconds", "Time spent loading, in all", tags,
                    read(cache, s -> s.totalLoadTime().toNanos() / 1e9));
        }
    }

    private java.util.function.DoubleSupplier read(String cache, ToDoubleFunction<CacheStats> figure) {
        return () -> figure.applyAsDouble(source.cacheStats().stream().filter(s -> s.name().equals(cache))
                .findFirst().orElseThrow());
    }
}
