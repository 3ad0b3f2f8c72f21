package dev.chatstream.http;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.chatstream.cache.CacheSettings;
import dev.chatstream.cache.CaffeineMemoryStore;
import dev.chatstream.cache.CaffeinePromptContextSource;
import dev.chatstream.core.AccessTokens;
import dev.chatstream.core.ActionAudit;
import dev.chatstream.core.ActionDispatcher;
import dev.chatstream.core.ActionExecutor;
import dev.chatstream.core.ChatSettings;
import dev.chatstream.core.ChatStreamer;
import dev.chatstream.core.ConversationStore;
import dev.chatstream.core.Conversations;
import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.LlmStream;
import dev.chatstream.core.MemoryStore;
import dev.chatstream.core.PromptContextSource;
import dev.chatstream.core.StoredPromptContext;
import dev.chatstream.ollama.OllamaLlmStream;
import dev.chatstream.store.JdbcAccounts;
import dev.chatstream.store.JdbcStore;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Wires the server: Ollama as the LLM; the JDBC store (SQLite in the data directory, or PostgreSQL) for
 * users, tokens, conversations, homes and memories, with homes and memories behind Caffeine caches; no action
 * executor; and the HTTP pieces. {@link AdapterModules} installs replacements over it (llama.cpp, Home
 * Assistant). No I/O here; providers run when the server starts.
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
        bind(MemoriesResource.class);
        bind(ConversationsResource.class);
        bind(ContextResource.class);
        bind(ActionsResource.class);
    }

    @Provides
    @Singleton
    OllamaLlmStream ollama() {
        return OllamaLlmStream.create(config.ollama());
    }

    @Provides
    @Singleton
    LlmStream llm(OllamaLlmStream ollama) {
        return ollama;
    }

    /** Opened (and migrated) when the server starts; {@link ChatServer#close} closes it. */
    @Provides
    @Singleton
    JdbcStore store() {
        return JdbcStore.open(config.store());
    }

    @Provides
    @Singleton
    JdbcAccounts accounts(JdbcStore store) {
        return store.accounts();
    }

    /** Prompts' context before the cache: the stored homes; {@link HomeAssistantModule} replaces it. */
    @Provides
    @Singleton
    PromptContextSource uncachedContext(JdbcStore store) {
        return new StoredPromptContext(config.basePrompt(), store.homes());
    }

    @Provides
    @Singleton
    CaffeinePromptContextSource context(PromptContextSource source) {
        return CaffeinePromptContextSource.wrap(source, CacheSettings.defaults());
    }

    /** Nothing runs actions; {@link HomeAssistantModule} replaces it. */
    @Provides
    @Singleton
    ActionExecutor actionExecutor() {
        return new NoActions();
    }

    /** Homes come from the store, which {@code /api/ready} already checks; {@link HomeAssistantModule} replaces it. */
    @Provides
    @Singleton
    HomeCheck homeCheck() {
        return new HomeCheck() {
            @Override
            public String describe() {
                return "stored home context";
            }

            @Override
            public java.util.Optional<String> problem() {
                return java.util.Optional.empty();
            }
        };
    }

    /** Every step of every action: one line on the {@code chatstream.audit} logger, and a metric. */
    @Provides
    @Singleton
    ActionAudit actionAudit(ServerMetrics metrics) {
        ActionAudit log = ActionAudit.toLog();
        return entry -> {
            log.record(entry);
            metrics.action(entry.status());
        };
    }

    @Provides
    @Singleton
    ActionDispatcher actions(ActionExecutor executor, ActionAudit audit) {
        return new ActionDispatcher(executor, audit, Clock.systemUTC(), config.actionConfirmTimeout());
    }

    /** Homes for everything that changes them: writes go to the store and drop the user's cached home. */
    @Provides
    @Singleton
    HomeContextStore homeStore(CaffeinePromptContextSource context, JdbcStore store) {
        return context.homeContextStore(store.homes());
    }

    @Provides
    @Singleton
    ConversationStore conversationStore(JdbcStore store) {
        return store.conversations();
    }

    @Provides
    @Singleton
    Conversations conversations(ConversationStore store, ChatSettings settings) {
        return new Conversations(store, settings);
    }

    @Provides
    @Singleton
    CaffeineMemoryStore memories(JdbcStore store) {
        return CaffeineMemoryStore.wrap(store.memories(), CacheSettings.defaults());
    }

    @Provides
    @Singleton
    MemoryStore memoryStore(CaffeineMemoryStore memories) {
        return memories;
    }

    @Provides
    @Singleton
    ChatSettings chatSettings() {
        return config.chatSettings();
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
    StreamRunner runner(ChatStreamer streamer, Conversations conversations, ScheduledExecutorService timers,
            ServerMetrics metrics, OpenStreams openStreams, StreamSlots slots, ActionDispatcher actions) {
        return new StreamRunner(streamer, conversations, timers, config, metrics, openStreams, slots, actions);
    }

    @Provides
    @Singleton
    AccessTokens tokens(JdbcAccounts accounts) {
        return accounts;
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
