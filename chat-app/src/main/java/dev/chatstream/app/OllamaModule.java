package dev.chatstream.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.name.Named;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.Health;
import dev.chatstream.core.HealthCheck;
import dev.chatstream.core.LlmStream;
import dev.chatstream.ollama.OllamaConfig;
import dev.chatstream.ollama.OllamaLlmStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * With {@code llm = ollama} (the default): chats go to Ollama. Ready when Ollama answers and the model is
 * installed; nothing is opened until the first chat or readiness check.
 */
final class OllamaModule extends AbstractModule {
    private final OllamaConfig config;

    OllamaModule(OllamaConfig config) {
        this.config = config;
    }

    @Provides
    @Singleton
    OllamaLlmStream ollama() {
        return OllamaLlmStream.create(config);
    }

    @Provides
    @Singleton
    LlmStream llm(OllamaLlmStream ollama) {
        return ollama;
    }

    @Provides
    @Singleton
    @Named("llm")
    HealthCheck check(OllamaLlmStream ollama) {
        return health(ollama, config);
    }

    /** Ready when Ollama answers and the model is installed; the facts say which server, version and model. */
    static HealthCheck health(OllamaLlmStream ollama, OllamaConfig config) {
        String model = config.model();
        return () -> {
            try {
                String version = ollama.version();
                boolean installed = ollama.isInstalled(model);
                Map<String, String> facts = new LinkedHashMap<>();
                facts.put("ollama_url", config.baseUrl().toString());
                facts.put("ollama_version", version);
                facts.put("model", model);
                return installed ? Health.ok(facts) : Health.problem(facts, "The model " + model
                        + " is not installed in Ollama; run: ollama pull " + model, Optional.empty());
            } catch (ChatException e) {
                return Health.problem(Map.of(), e.getMessage(), Optional.of(e.code()));
            }
        };
    }
}
