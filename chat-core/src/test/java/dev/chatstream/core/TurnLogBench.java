package dev.chatstream.core;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What logging costs per event (issue 19): a 100-chunk reply appended to a fresh in-memory turn log and read back
 * by one reader in batches, as a connection reads it while the model writes; reported per event. Single-threaded,
 * so it is the log's own work (locks, entries, size accounting) without the wake-ups a real reader adds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TurnLogBench {
    private static final ChatEvent[] EVENTS = events();
    private final InMemoryTurnLogs logs = new InMemoryTurnLogs();

    private static ChatEvent[] events() {
        ChatEvent[] e = new ChatEvent[100];
        for (int i = 0; i < 99; i++) {
            e[i] = new ChatEvent.Chunk(" palavra" + i);
        }
        e[99] = new ChatEvent.Done(Usage.unknown());
        return e;
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public void appendAndReadPerEvent(Blackhole hole) throws InterruptedException {
        TurnLog log = logs.create("bench");
        long read = 0;
        for (int i = 0; i < EVENTS.length; i++) {
            log.append(EVENTS[i]);
            if (i % 4 == 3 || i == EVENTS.length - 1) { // a reader that wakes every few events
                TurnLog.Batch batch = log.read(read, Duration.ZERO);
                read = batch.entries().getLast().seq();
                hole.consume(batch);
            }
        }
        logs.remove("bench");
    }
}
