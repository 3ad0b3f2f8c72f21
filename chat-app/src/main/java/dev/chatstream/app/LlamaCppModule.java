package dev.chatstream.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import dev.chatstream.core.ConfigException;
import dev.chatstream.core.Health;
import dev.chatstream.core.HealthCheck;
import dev.chatstream.core.LlmStream;
import dev.chatstream.core.Measured;
import dev.chatstream.llamacpp.LlamaCppConfig;
import dev.chatstream.llamacpp.LlamaCppLlmStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * With {@code llm = llamacpp}: chats go to a GGUF model run in this process instead of Ollama. The model loads when
 * first asked for (the server asks at start), is ready once loaded, publishes its queue, and is unloaded at stop.
 */
final class LlamaCppModule extends AbstractModule {
    private final LlamaCppConfig config;

    LlamaCppModule(LlamaCppConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), Measured.class).addBinding().to(QueueFigures.class);
        Multibinder.newSetBinder(binder(), AutoCloseable.class, Names.named(Owned.NAME)).addBinding()
                .to(LlamaCppLlmStream.class);
    }

    @Provides
    @Singleton
    LlamaCppLlmStream llamaCpp() {
        try {
            return LlamaCppLlmStream.open(config);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("llamacpp.model: " + e.getMessage());
        }
    }

    @Provides
    @Singleton
    LlmStream llm(LlamaCppLlmStream llamaCpp) {
        return llamaCpp;
    }

    /** Loaded at start, in this process: ready when the database is. */
    @Provides
    @Singleton
    @Named("llm")
    HealthCheck check() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("llm", "llamacpp");
        facts.put("model", config.model().toString());
        return () -> Health.ok(facts);
    }

    /** Requests waiting for a slot, and the time they waited in all. */
    static final class QueueFigures implements Measured {
        private final LlamaCppLlmStream llm;

        @jakarta.inject.Inject
        QueueFigures(LlamaCppLlmStream llm) {
            this.llm = llm;
        }

        @Override
        public void describeTo(dev.chatstream.core.Meters meters) {
            meters.gauge("chatstream.llm.queue.waiting", "Requests waiting for a free llama.cpp slot", Map.of(),
                    llm::waiting);
            meters.counter("chatstream.llm.queue.wait.seconds", "Time requests waited for a llama.cpp slot, in all",
                    Map.of(), () -> llm.queueWaitNanos() / 1e9);
        }
    }
}
