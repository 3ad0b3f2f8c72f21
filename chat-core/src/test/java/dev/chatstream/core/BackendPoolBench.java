package dev.chatstream.core;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the pool's routing costs per request (issue 21): a one-token reply from a backend that answers at once,
 * straight and through a {@link BackendPool} of two or eight backends (choose, count, the first-token average,
 * return). Run on one thread and on two, so the lock shows when requests start together.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BackendPoolBench {
    private static final LlmRequest REQUEST = new LlmRequest(List.of(ChatMessage.user("Olá")), ChatOptions.defaults());
    private static final LlmDelta TOKEN = new LlmDelta.Text("Olá");
    private static final LlmStream ANSWERS_AT_ONCE = (request, listener, cancellation) -> {
        listener.onDelta(TOKEN);
        return Usage.unknown();
    };

    private final BackendPool two = pool(2);
    private final BackendPool eight = pool(8);

    private static BackendPool pool(int n) {
        List<BackendPool.Backend> backends = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            backends.add(new BackendPool.Backend("b" + i, ANSWERS_AT_ONCE, 1 + i % 2, 0, () -> Health.ok(Map.of())));
        }
        return BackendPool.of(backends);
    }

    @Benchmark
    public Usage direct(Blackhole hole) {
        return ANSWERS_AT_ONCE.stream(REQUEST, hole::consume, new Cancellation());
    }

    @Benchmark
    public Usage poolOfTwo(Blackhole hole) {
        return two.stream(REQUEST, hole::consume, new Cancellation());
    }

    @Benchmark
    public Usage poolOfEight(Blackhole hole) {
        return eight.stream(REQUEST, hole::consume, new Cancellation());
    }

    @Benchmark
    @Threads(2)
    public Usage poolOfTwoFromTwoThreads(Blackhole hole) {
        return two.stream(REQUEST, hole::consume, new Cancellation());
    }
}
