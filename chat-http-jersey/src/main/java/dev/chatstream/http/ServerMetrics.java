package dev.chatstream.http;

import dev.chatstream.cache.CacheStatistics;
import dev.chatstream.cache.CacheStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The server's metrics in a Prometheus registry: streams, first-chunk latency, durations, tokens, errors by
 * code, cache counters per cache, rate-limit rejections and upstream cancellations. Thread-safe.
 */
final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer firstChunk;
    private final Timer duration;
    private final Counter tokens;
    private final Counter rateLimited;
    private final Counter cancellations;

    ServerMetrics(StreamSlots slots, List<CacheStatistics> caches) {
        Gauge.builder("chatstream.streams.active", slots, StreamSlots::open)
                .description("Streams open now").register(registry);
        firstChunk = Timer.builder("chatstream.stream.first.chunk")
                .description("From the request to the first chunk written")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(2)).register(registry);
        duration = Timer.builder("chatstream.stream.duration")
                .description("From the request to the terminal event")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        tokens = Counter.builder("chatstream.tokens.relayed").description("Chunks written to clients")
                .register(registry);
        rateLimited = Counter.builder("chatstream.rate.limited")
                .description("Requests refused by the per-user rate limit").register(registry);
        cancellations = Counter.builder("chatstream.upstream.cancellations")
                .description("Streams whose upstream request was closed early (client gone, timeout, shutdown)")
                .register(registry);
        for (CacheStatistics source : caches) {
            for (CacheStats first : source.cacheStats()) {
                String name = first.name();
                cacheCounter("chatstream.cache.hits", "Reads answered from the cache", source, name, CacheStats::hits);
                cacheCounter("chatstream.cache.misses", "Reads that waited for a load", source, name,
                        CacheStats::misses);
                cacheCounter("chatstream.cache.evictions", "Entries evicted for size or age", source, name,
                        CacheStats::evictions);
                cacheCounter("chatstream.cache.stale.served", "Reads served past the ttl because reloads failed",
                        source, name, CacheStats::staleServed);
                cacheGauge("chatstream.cache.hit.ratio", "Hits over reads since start", source, name,
                        CacheStats::hitRate);
                cacheGauge("chatstream.cache.load.seconds", "Time spent loading, in all", source, name,
                        s -> s.totalLoadTime().toNanos() / 1e9);
            }
        }
    }

    void firstChunk(Duration d) {
        firstChunk.record(d);
    }

    void streamEnded(Duration d) {
        duration.record(d);
    }

    void tokenRelayed() {
        tokens.increment();
    }

    void error(String code) {
        Counter.builder("chatstream.errors").tag("code", code).description("Error answers and error events by code")
                .register(registry).increment();
    }

    /** One step of an action, by its status (done, refused, pending_confirmation…). */
    void action(dev.chatstream.core.ActionStatus status) {
        Counter.builder("chatstream.actions").tag("status", status.code())
                .description("Steps of the actions the model asked for, by status").register(registry).increment();
    }

    void rateLimited() {
        rateLimited.increment();
    }

    void upstreamCancelled() {
        cancellations.increment();
    }

    String scrape() {
        return registry.scrape();
    }

    private void cacheCounter(String metric, String help, CacheStatistics source, String cache,
            ToLongFunction<CacheStats> f) {
        FunctionCounter.builder(metric, source, s -> f.applyAsLong(stats(s, cache)))
                .tag("cache", cache).description(help).register(registry);
    }

    /** Publishes an in-process model's queue: requests waiting for a slot, and the time they waited in all. */
    void watch(dev.chatstream.llamacpp.LlamaCppLlmStream llm) {
        Gauge.builder("chatstream.llm.queue.waiting", llm, l -> l.waiting())
                .description("Requests waiting for a free llama.cpp slot").register(registry);
        FunctionCounter.builder("chatstream.llm.queue.wait.seconds", llm, l -> l.queueWaitNanos() / 1e9)
                .description("Time requests waited for a llama.cpp slot, in all").register(registry);
    }

    private void cacheGauge(String metric, String help, CacheStatistics source, String cache,
            ToDoubleFunction<CacheStats> f) {
        Gauge.builder(metric, source, s -> f.applyAsDouble(stats(s, cache)))
                .tag("cache", cache).description(help).register(registry);
    }

    private static CacheStats stats(CacheStatistics source, String cache) {
        return source.cacheStats().stream().filter(s -> s.name().equals(cache)).findFirst().orElseThrow();
    }
}
