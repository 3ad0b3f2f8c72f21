package dev.chatstream.bench;

import dev.chatstream.cache.CacheSettings;
import dev.chatstream.cache.CaffeineMemoryStore;
import dev.chatstream.cache.CaffeinePromptContextSource;
import dev.chatstream.core.ChatMessage;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.ChatSettings;
import dev.chatstream.core.ChatStreamer;
import dev.chatstream.core.Device;
import dev.chatstream.core.HomeContext;
import dev.chatstream.core.InMemoryHomeContextStore;
import dev.chatstream.core.InMemoryMemoryStore;
import dev.chatstream.core.LlmStream;
import dev.chatstream.core.StoredPromptContext;
import dev.chatstream.core.SystemPrompt;
import dev.chatstream.core.Usage;
import dev.chatstream.core.UserId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Prompt assembly with warm caches ({@code ChatStreamer.prompt}): base prompt, time, 12 devices with aliases,
 * memories recalled for a message that asks for them, and 30 history messages cut to the window.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PromptBench {
    private static final UserId ANA = UserId.of("ana");
    private ChatStreamer streamer;
    private ChatRequest withMemories;
    private ChatRequest plain;

    @Setup
    public void setUp() {
        InMemoryHomeContextStore homes = new InMemoryHomeContextStore();
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            devices.add(new Device("light.divisao_" + i, "Luz da divisão " + i, "Divisão " + i,
                    List.of("luz " + i, "candeeiro " + i)));
        }
        homes.replaceHomeContext(ANA, new HomeContext(devices));
        InMemoryMemoryStore memories = new InMemoryMemoryStore();
        for (int i = 0; i < 50; i++) {
            memories.add(ANA, "O meu irmão " + i + " faz anos a " + (i % 28 + 1) + " de maio");
        }
        LlmStream none = (request, listener, cancellation) -> Usage.unknown();
        streamer = new ChatStreamer(none,
                CaffeinePromptContextSource.wrap(new StoredPromptContext(SystemPrompt.defaultPrompt(), homes),
                        CacheSettings.defaults()),
                CaffeineMemoryStore.wrap(memories, CacheSettings.defaults()), Clock.systemDefaultZone(),
                ChatSettings.defaults());
        List<ChatMessage> history = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            history.add(ChatMessage.user("Pergunta número " + i + " sobre a casa e as luzes"));
            history.add(ChatMessage.assistant("Resposta número " + i + ": está tudo bem com as luzes da casa."));
        }
        withMemories = ChatRequest.of(ANA, "Lembras-te de quando faz anos o meu irmão 3?").withHistory(history);
        plain = ChatRequest.of(ANA, "Liga a luz da divisão 3").withHistory(history);
        streamer.prompt(withMemories); // warm the caches
        streamer.prompt(plain);
    }

    @Benchmark
    public List<ChatMessage> promptWithDevicesAndHistory() {
        return streamer.prompt(plain);
    }

    @Benchmark
    public List<ChatMessage> promptWithRecalledMemories() {
        return streamer.prompt(withMemories);
    }
}
