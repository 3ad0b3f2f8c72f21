package dev.chatstream.ollama;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * One NDJSON line from Ollama to the delta it carries ({@code ChatLineParser}, Jackson's streaming parser). In
 * Ollama's package because the parser is package-private, like every hot-path class measured here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChatLineBench {
    private final ChatLineParser parser = new ChatLineParser(new ObjectMapper());
    private final byte[] token = ("{\"model\":\"llama3.2\",\"created_at\":\"2026-11-24T10:00:00.123456Z\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\" sala\"},\"done\":false}").getBytes(StandardCharsets.UTF_8);

    @Benchmark
    public ChatLine tokenLineToDelta() throws IOException {
        return parser.parse(token, token.length);
    }
}
