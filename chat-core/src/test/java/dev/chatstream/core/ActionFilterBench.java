package dev.chatstream.core;

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
 * The ACTION filter per piece: a 100-piece reply (words, line ends, a line that starts like "A…" but is not an
 * action, and a final ACTION line) through a fresh filter, reported per piece. A fresh filter per reply, as in a
 * real stream: the filter keeps the reply's clean text for {@code final_text}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ActionFilterBench {
    private static final String[] PIECES = pieces();

    private static String[] pieces() {
        String[] p = new String[100];
        for (int i = 0; i < 96; i++) {
            p[i] = i % 20 == 19 ? ".\n" : i % 20 == 0 ? "Agora" : " palavra";
        }
        p[96] = "\nACTION: {\"tool\": \"homeassistant_call_service\", ";
        p[97] = "\"args\": {\"domain\": \"light\", ";
        p[98] = "\"service\": \"turn_on\", ";
        p[99] = "\"entity_id\": \"light.sala\"}}";
        return p;
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public void perPieceOfAHundredPieceReply(Blackhole hole) {
        ActionFilter filter = new ActionFilter(hole::consume);
        for (String piece : PIECES) {
            filter.accept(piece);
        }
        filter.finish();
        hole.consume(filter.outcomes());
    }
}
