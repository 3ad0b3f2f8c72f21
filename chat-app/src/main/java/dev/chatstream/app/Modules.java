package dev.chatstream.app;

import com.google.inject.Module;
import java.util.List;

/**
 * The one place that turns the settings' choices into installed modules: {@link AppModule} always; the LLM
 * ({@link OllamaModule}, {@link LlamaCppModule} with {@code llm = llamacpp}, {@link OpenAiModule} with
 * {@code llm = openai}, or {@link PoolModule} with {@code llm.backends}); the source of homes and actions
 * ({@link StoredHomeModule}, or {@link HomeAssistantModule} with {@code homeassistant.url}); what several nodes
 * share (nothing: {@link OneNodeModule}, or limits and invalidations through Redis: {@link RedisModule} with
 * {@code redis.url}). The modules themselves
 * have no {@code if}s, and none overrides another.
 */
final class Modules {
    private Modules() {
    }

    static List<Module> chosenBy(AppConfig config, java.time.Clock clock) {
        Module llm = !config.backends().isEmpty() ? new PoolModule(config.backends())
                : config.openAi().<Module>map(OpenAiModule::new)
                        .or(() -> config.llamaCpp().map(LlamaCppModule::new))
                        .orElseGet(() -> new OllamaModule(config.ollama()));
        Module homes = config.homeAssistant().<Module>map(HomeAssistantModule::new).orElseGet(StoredHomeModule::new);
        Module limits = config.redis().<Module>map(RedisModule::new).orElseGet(OneNodeModule::new);
        return List.of(new AppModule(config, clock), llm, homes, limits);
    }
}
