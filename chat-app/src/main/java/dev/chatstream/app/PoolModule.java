package dev.chatstream.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.name.Named;
import dev.chatstream.core.BackendPool;
import dev.chatstream.core.Health;
import dev.chatstream.core.HealthCheck;
import dev.chatstream.core.LlmStream;
import dev.chatstream.core.Measured;
import dev.chatstream.ollama.OllamaLlmStream;
import dev.chatstream.openai.OpenAiLlmStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * With {@code llm.backends}: chats go to a {@link BackendPool} of Ollama and OpenAI-compatible servers. Each
 * backend's readiness check (the one {@link OllamaModule} or {@link OpenAiModule} uses alone) is its probe after a
 * cooldown; {@code /api/ready} asks them all at once, lists each, and is ready while at least one is. The pool's
 * figures go to the server's metrics.
 */
final class PoolModule extends AbstractModule {
    private final List<BackendSpec> specs;

    PoolModule(List<BackendSpec> specs) {
        this.specs = specs;
    }

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), Measured.class).addBinding().to(BackendPool.class);
    }

    @Provides
    @Singleton
    List<BackendPool.Backend> backends() {
        List<BackendPool.Backend> backends = new ArrayList<>();
        for (BackendSpec spec : specs) {
            if (spec.ollama().isPresent()) {
                OllamaLlmStream llm = OllamaLlmStream.create(spec.ollama().get());
                backends.add(new BackendPool.Backend(spec.name(), llm, spec.weight(), spec.maxConcurrent(),
                        OllamaModule.health(llm, spec.ollama().get())));
            } else {
                OpenAiLlmStream llm = OpenAiLlmStream.create(spec.openAi().orElseThrow());
                backends.add(new BackendPool.Backend(spec.name(), llm, spec.weight(), spec.maxConcurrent(),
                        OpenAiModule.health(llm, spec.openAi().get())));
            }
        }
        return List.copyOf(backends);
    }

    @Provides
    @Singleton
    BackendPool pool(List<BackendPool.Backend> backends) {
        return BackendPool.of(backends);
    }

    @Provides
    @Singleton
    LlmStream llm(BackendPool pool) {
        return pool;
    }

    @Provides
    @Singleton
    @Named("llm")
    HealthCheck check(List<BackendPool.Backend> backends, BackendPool pool) {
        return () -> {
            Map<BackendPool.Backend, CompletableFuture<Health>> asked = new LinkedHashMap<>();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (BackendPool.Backend b : backends) {
                    asked.put(b, CompletableFuture.supplyAsync(() -> b.probe().check(), threads));
                }
            }
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("llm", "pool");
            List<String> problems = new ArrayList<>();
            Map<String, BackendPool.Status> states = new LinkedHashMap<>();
            pool.status().forEach(s -> states.put(s.name(), s));
            for (Map.Entry<BackendPool.Backend, CompletableFuture<Health>> e : asked.entrySet()) {
                String name = e.getKey().name();
                Health h = e.getValue().join();
                BackendPool.Status s = states.get(name);
                String state = s.state() == BackendPool.State.UP ? "" : ", " + s.state().name().toLowerCase(
                        java.util.Locale.ROOT).replace('_', ' ');
                facts.put("backend." + name, h.problem().map(p -> "not ready" + state + ": " + p)
                        .orElse("ready" + state + ", " + s.inFlight() + " in flight"));
                h.problem().ifPresent(p -> problems.add(name + ": " + p));
            }
            return problems.size() < backends.size() ? Health.ok(facts)
                    : Health.problem(facts, "No LLM backend is ready — " + String.join("; ", problems),
                    Optional.empty());
        };
    }
}
