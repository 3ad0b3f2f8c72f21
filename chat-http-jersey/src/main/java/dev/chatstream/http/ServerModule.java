package dev.chatstream.http;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.chatstream.cache.CacheSettings;
import dev.chatstream.cache.CaffeineMemoryStore;
import dev.chatstream.cache.CaffeinePromptContextSource;
import dev.chatstream.core.AccessTokens;
import dev.chatstream.core.ChatSettings;
import dev.chatstream.core.ChatStreamer;
import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.InMemoryHomeContextStore;
import dev.chatstream.core.InMemoryMemoryStore;
import dev.chatstream.core.LlmStream;
import dev.chatstream.core.MemoryStore;
import dev.chatstream.core.StoredPromptContext;
import dev.chatstream.core.SystemPrompt;
import dev.chatstream.ollama.OllamaConfig;
import dev.chatstream.ollama.OllamaLlmStream;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Wires the server: Ollama as the LLM, in-memory homes and memories behind Caffeine caches (the store
 * module replaces the in-memory parts), tokens from the data directory, and the HTTP pieces. No I/O here;
 * providers run when the server starts.
 */
final class ServerModule extends AbstractModule {
    private final ServerConfig config;

    ServerModule(ServerConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(ServerConfig.class).toInstance(config);
        bind(ChatResource.class);
        bind(HealthResource.class);
        bind(MetricsResource.class);
    }

    @Provides
    @Singleton
    OllamaLlmStream ollama() {
        return OllamaLlmStream.create(OllamaConfig.defaults().withBaseUrl(config.ollamaUrl()).withModel(config.model()));
    }

    @Provides
    @Singleton
    LlmStream llm(OllamaLlmStream ollama) {
        return ollama;
    }

    @Provides
    @Singleton
    InMemoryHomeContextStore storedHomes() {
        return new InMemoryHomeContextStore();
    }

    @Provides
    @Singleton
    CaffeinePromptContextSource context(InMemoryHomeContextStore homes) {
        return CaffeinePromptContextSource.wrap(new StoredPromptContext(basePrompt(), homes), CacheSettings.defaults());
    }

    /** Homes for everything that changes them: writes go to the store and drop the user's cached home. */
    @Provides
    @Singleton
    HomeContextStore homeStore(CaffeinePromptContextSource context, InMemoryHomeContextStore homes) {
        return context.homeContextStore(homes);
    }

    private String basePrompt() {
        if (config.systemPromptFile().isEmpty()) {
            return SystemPrompt.defaultPrompt();
        }
        try {
            return SystemPrompt.fromFile(config.systemPromptFile().get());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("system.prompt.file: " + e.getMessage());
        }
    }

    @Provides
    @Singleton
    CaffeineMemoryStore memories() {
        return CaffeineMemoryStore.wrap(new InMemoryMemoryStore(), CacheSettings.defaults());
    }

    @Provides
    @Singleton
    MemoryStore memoryStore(CaffeineMemoryStore memories) {
        return memories;
    }

    @Provides
    @Singleton
    ChatSettings chatSettings() {
        ChatSettings d = ChatSettings.defaults();
        return d.withMaxMessageChars(config.maxMessageChars())
                .withHistoryLimits(config.maxHistoryItems(), d.maxHistoryItemChars(), d.maxHistoryTotalChars());
    }

    @Provides
    @Singleton
    ChatStreamer streamer(LlmStream llm, CaffeinePromptContextSource context, MemoryStore memories,
            ChatSettings settings) {
        return new ChatStreamer(llm, context, memories, Clock.systemDefaultZone(), settings);
    }

    @Provides
    @Singleton
    ScheduledExecutorService timers() {
        return Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("chatstream-timers").daemon(true).factory());
    }

    @Provides
    @Singleton
    RateLimiter rateLimiter() {
        return new RateLimiter(config.ratePerMinute(), config.rateBurst(), System::nanoTime);
    }

    @Provides
    @Singleton
    StreamSlots slots() {
        return new StreamSlots(config.streamsPerUser(), config.streamsTotal());
    }

    @Provides
    @Singleton
    OpenStreams openStreams() {
        return new OpenStreams();
    }

    @Provides
    @Singleton
    ServerMetrics metrics(StreamSlots slots, CaffeinePromptContextSource context, CaffeineMemoryStore memories) {
        return new ServerMetrics(slots, List.of(context, memories));
    }

    @Provides
    @Singleton
    StreamRunner runner(ChatStreamer streamer, ScheduledExecutorService timers, ServerMetrics metrics,
            OpenStreams openStreams, StreamSlots slots) {
        return new StreamRunner(streamer, timers, config, metrics, openStreams, slots);
    }

    @Provides
    @Singleton
    FileAccessTokens fileTokens() {
        return FileAccessTokens.open(config.dataDir());
    }

    @Provides
    @Singleton
    AccessTokens tokens(FileAccessTokens tokens) {
        return tokens;
    }

    @Provides
    @Singleton
    Cors cors() {
        return new Cors(config.corsOrigins());
    }

    @Provides
    AuthFilter authFilter(AccessTokens tokens, Cors cors) {
        return new AuthFilter(tokens, cors);
    }

    @Provides
    ResponseFilter responseFilter(Cors cors) {
        return new ResponseFilter(cors);
    }
}
