package dev.chatstream.http;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.chatstream.core.LlmStream;
import dev.chatstream.llamacpp.LlamaCppConfig;
import dev.chatstream.llamacpp.LlamaCppLlmStream;

/**
 * With {@code llm = llamacpp}: chats go to a GGUF model run in this process instead of Ollama. Installed over
 * {@link ServerModule} by {@link ChatServer} (and by the CLI's direct mode) when {@link AdapterModules} picks it;
 * the model loads at start.
 */
public final class LlamaCppModule extends AbstractModule {
    private final LlamaCppConfig config;

    public LlamaCppModule(LlamaCppConfig config) {
        this.config = config;
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
}
