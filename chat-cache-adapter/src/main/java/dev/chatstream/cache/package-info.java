/**
 * Caffeine caches in front of the context ports: {@link dev.chatstream.cache.CaffeinePromptContextSource}
 * (base prompt, each user's home) and {@link dev.chatstream.cache.CaffeineMemoryStore} (relevant memories
 * per user and normalised query), configured by {@link dev.chatstream.cache.CacheSettings} and observed
 * through {@link dev.chatstream.cache.CacheStatistics}. See {@code docs/caching.md}.
 */
package dev.chatstream.cache;
