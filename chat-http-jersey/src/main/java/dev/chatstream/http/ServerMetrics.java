package dev.chatstream.http;

import dev.chatstream.core.Measured;
import dev.chatstream.core.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * The server's metrics in a Prometheus registry: streams, first-chunk latency, durations, tokens, errors by
 * code, rate-limit rejections, upstream cancellations, and the figures of the parts that publish some
 * ({@link Measured}: caches, a model's queue). Thread-safe.
 */
final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer firstChunk;
    private final Timer duration;
    private final Counter tokens;
    private final Counter rateLimited;
    private final Counter cancellations;
    /** Micrometer holds a function meter's object weakly: these keep the parts' suppliers alive. */
    private final java.util.List<DoubleSupplier> held = new java.util.concurrent.CopyOnWriteArrayList<>();

    ServerMetrics(StreamSlots slots, Collection<Measured> parts) {
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
        Meters meters = new Meters() {
            @Override
            public void counter(String name, String help, Map<String, String> tags, DoubleSupplier value) {
                held.add(value);
                FunctionCounter.builder(name, value, DoubleSupplier::getAsDouble).tags(tags(tags)).description(help)
                        .register(registry);
            }

            @Override
            public void gauge(String name, String help, Map<String, String> tags, DoubleSupplier value) {
                held.add(value);
                Gauge.builder(name, value, DoubleSupplier::getAsDouble).tags(tags(tags)).description(help)
                        .register(registry);
            }
        };
        for (Measured part : parts) {
            part.describeTo(meters);
        }
    }

    private static Tags tags(Map<String, String> tags) {
        Tags out = Tags.empty();
        for (Map.Entry<String, String> t : tags.entrySet()) {
            out = out.and(t.getKey(), t.getValue());
        }
        return out;
    }

    void firstChunk(Duration d) {
        firstChunk.record(d);
    }

    /** One phase of a first chunk's time ({@link FirstChunkTiming}). */
    void firstChunkPhase(String phase, long nanos) {
        Timer t = phases.computeIfAbsent(phase, p -> Timer.builder("chatstream.stream.first.chunk.phase")
                .description("The first chunk's time by phase: admit (request to the turn running), generate (to "
                        + "the first chunk in the turn's log), deliver (to the chunk written)")
                .tag("phase", p).publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofMinutes(2)).register(registry));
        t.record(Math.max(0, nanos), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private final java.util.Map<String, Timer> phases = new java.util.concurrent.ConcurrentHashMap<>();

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
}
