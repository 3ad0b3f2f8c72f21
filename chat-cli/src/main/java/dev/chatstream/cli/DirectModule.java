package dev.chatstream.cli;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.chatstream.core.ChatSettings;
import dev.chatstream.core.ChatStreamer;
import dev.chatstream.core.LlmStream;
import dev.chatstream.core.Conversations;
import dev.chatstream.core.PromptContextSource;
import dev.chatstream.core.StoredPromptContext;
import dev.chatstream.core.UserId;
import dev.chatstream.http.ServerConfig;
import dev.chatstream.ollama.OllamaLlmStream;
import dev.chatstream.store.JdbcStore;
import java.time.Clock;

/**
 * Wires {@link DirectBackend}: Ollama and the store from the same configuration the server reads
 * ({@code docs/configuration.md}), chatting as {@code user}; {@code AdapterModules} installs llama.cpp or Home
 * Assistant over it as configured (actions are shown, never run, in the terminal). No I/O until the backend is asked for.
 */
final class DirectModule extends AbstractModule {
    private final ServerConfig config;
    private final UserId user;

    DirectModule(ServerConfig config, UserId user) {
        this.config = config;
        this.user = user;
    }

    @Override
    protected void configure() {
        bind(ServerConfig.class).toInstance(config);
    }

    @Provides
    @Singleton
    JdbcStore store() {
        return JdbcStore.open(config.store());
    }

    @Provides
    @Singleton
    ChatSettings settings() {
        return config.chatSettings();
    }

    /** Ollama; {@code LlamaCppModule}, installed over this one when {@code llm = llamacpp}, replaces it. */
    @Provides
    @Singleton
    LlmStream llm() {
        return OllamaLlmStream.create(config.ollama());
    }

    /** The stored homes; {@code HomeAssistantModule}, installed over this one with homeassistant.url, replaces it. */
    @Provides
    @Singleton
    PromptContextSource context(JdbcStore store) {
        return new StoredPromptContext(config.basePrompt(), store.homes());
    }

    @Provides
    @Singleton
    ChatStreamer streamer(LlmStream llm, PromptContextSource context, JdbcStore store, ChatSettings settings) {
        return new ChatStreamer(llm, context, store.memories(), Clock.systemDefaultZone(), settings);
    }

    @Provides
    @Singleton
    Backend backend(JdbcStore store, ChatStreamer streamer, ChatSettings settings) {
        return new DirectBackend(store, streamer, new Conversations(store.conversations(), settings), user,
                config.describeLlm() + ", as user " + user + ", data in "
                        + config.store().describe().replaceFirst("^jdbc:sqlite:", ""));
    }
}
