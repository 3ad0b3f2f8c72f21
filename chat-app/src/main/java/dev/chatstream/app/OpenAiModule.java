package dev.chatstream.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.name.Named;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.Health;
import dev.chatstream.core.HealthCheck;
import dev.chatstream.core.LlmStream;
import dev.chatstream.openai.OpenAiConfig;
import dev.chatstream.openai.OpenAiLlmStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * With {@code llm = openai}: chats go to an OpenAI-compatible server (llama-server, vLLM, LM Studio, LocalAI,
 * Ollama's {@code /v1}). Ready when the server lists the model ({@code GET /v1/models}); nothing is opened until
 * the first chat or readiness check.
 */
final class OpenAiModule extends AbstractModule {
    private final OpenAiConfig config;

    OpenAiModule(OpenAiConfig config) {
        this.config = config;
    }

    @Provides
    @Singleton
    OpenAiLlmStream openAi() {
        return OpenAiLlmStream.create(config);
    }

    @Provides
    @Singleton
    LlmStream llm(OpenAiLlmStream openAi) {
        return openAi;
    }

    @Provides
    @Singleton
    @Named("llm")
    HealthCheck check(OpenAiLlmStream openAi) {
        return health(openAi, config);
    }

    /** Ready when the server lists the model (or, with none configured, any). */
    static HealthCheck health(OpenAiLlmStream openAi, OpenAiConfig config) {
        return () -> {
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("llm", "openai");
            facts.put("openai_url", config.baseUrl().toString());
            try {
                List<String> models = openAi.models();
                String model = config.model().isEmpty() ? models.stream().findFirst().orElse("") : config.model();
                facts.put("model", model);
                if (models.isEmpty()) {
                    return Health.problem(facts, "The server at " + config.baseUrl() + " lists no model: load one "
                            + "(or set openai.model)", Optional.empty());
                }
                return models.contains(model) ? Health.ok(facts) : Health.problem(facts, "The server at "
                        + config.baseUrl() + " has no model \"" + model + "\"; it lists " + String.join(", ",
                        models.subList(0, Math.min(5, models.size()))) + (models.size() > 5 ? ", …" : "")
                        + ": set openai.model to one of them", Optional.empty());
            } catch (ChatException e) {
                return Health.problem(facts, e.getMessage(), Optional.of(e.code()));
            }
        };
    }
}
