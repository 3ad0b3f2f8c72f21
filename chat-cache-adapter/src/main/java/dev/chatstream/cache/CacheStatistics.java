package dev.chatstream.cache;

import java.util.List;

/**
 * Read-only access to cache counters, for metrics. Each call takes a fresh snapshot; safe from any thread.
 */
public interface CacheStatistics {
    /** One snapshot per cache this object keeps. */
    List<CacheStats> cacheStats();
}
