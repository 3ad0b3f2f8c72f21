package dev.chatstream.http;

import dev.chatstream.core.ChatEvent;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One SSE chunk event framed ({@code SseCodec}: id, JSON) and written through {@code SseStream}
 * (lock, write, flush) to an output stream that only counts bytes: the server's own cost per event, without
 * Grizzly and the socket (the load driver measures those).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SseWriteBench {
    private long bytes;
    private final OutputStream sink = new OutputStream() {
        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    };
    private final SseStream stream = new SseStream(sink, "5f0c9e1a2b3c4d5e",
            Wire.chatstream("yq3xKpZ0c1V2n4m5o6p7qQ", "5f0c9e1a2b3c4d5e"),
            new SseStream.Observer() {
        @Override
        public void chunkWritten(boolean first) {
        }

        @Override
        public void terminal(ChatEvent event) {
        }
    });
    private final ChatEvent.Chunk chunk = new ChatEvent.Chunk(" sala");
    private long seq;

    @Benchmark
    public byte[] frameOnly() {
        return dev.chatstream.core.SseCodec.encode(42, chunk, "5f0c9e1a2b3c4d5e");
    }

    @Benchmark
    public boolean frameAndWrite() {
        return stream.send(++seq, chunk);
    }
}
