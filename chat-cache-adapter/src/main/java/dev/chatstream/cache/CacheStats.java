package dev.chatstream.cache;

import java.time.Duration;

/**
 * A snapshot of one cache's counters since it was created; every count only grows.
 *
 * @param name            the cache: {@code base_prompt}, {@code home_context} or {@code memories}
 * @param hits            reads answered from the cache (including stale values served in the grace period)
 * @param misses          reads that had to wait for a load
 * @param loadSuccesses   loads and reloads that returned a value
 * @param loadFailures    loads and reloads that threw
 * @param totalLoadTime   time spent in all loads and reloads
 * @param refreshes       background reloads started ahead of expiry
 * @param staleServed     reads answered with a value past its ttl because reloads were failing
 * @param evictions       entries removed for size or age (not by invalidation)
 * @param size            entries held now (approximate)
 */
public record CacheStats(String name, long hits, long misses, long loadSuccesses, long loadFailures,
        Duration totalLoadTime, long refreshes, long staleServed, long evictions, long size) {

    /** Hits over all reads, from 0 to 1; 1 when there were no reads yet. */
    public double hitRate() {
        long reads = hits + misses;
        return reads == 0 ? 1.0 : (double) hits / reads;
    }

    /** Mean time of one load, zero when nothing was loaded. */
    public Duration averageLoadTime() {
        long loads = loadSuccesses + loadFailures;
        return loads == 0 ? Duration.ZERO : totalLoadTime.dividedBy(loads);
    }
}
