package dev.chatstream.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import dev.chatstream.cache.CacheSettings;
import dev.chatstream.cache.CaffeineMemoryStore;
import dev.chatstream.cache.CaffeinePromptContextSource;
import dev.chatstream.core.AccessTokens;
import dev.chatstream.core.Accounts;
import dev.chatstream.core.ChatSettings;
import dev.chatstream.core.ChatStreamer;
import dev.chatstream.core.ConversationStore;
import dev.chatstream.core.Conversations;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.Health;
import dev.chatstream.core.HealthCheck;
import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.LlmStream;
import dev.chatstream.core.Measured;
import dev.chatstream.core.MemoryStore;
import dev.chatstream.core.PromptContextSource;
import dev.chatstream.http.Readiness;
import dev.chatstream.store.JdbcStore;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * What every server has, whatever the choices: the settings, one clock, the JDBC store (SQLite in the data
 * directory, or PostgreSQL) for users, tokens, conversations, homes and memories, homes and memories behind
 * Caffeine caches, and the core's use cases. The choices add the rest: an LLM module ({@link OllamaModule} or
 * {@link LlamaCppModule}) binds {@link LlmStream} and its {@code llm} check; a home module ({@link StoredHomeModule}
 * or {@link HomeAssistantModule}) binds the uncached {@code homes} context, its {@code home} check and the action
 * executor. No I/O here; providers run when the server or the command starts.
 */
final class AppModule extends AbstractModule {
    private final AppConfig config;
    private final Clock clock;

    AppModule(AppConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    @Override
    protected void configure() {
        bind(AppConfig.class).toInstance(config);
        Multibinder<Measured> measured = Multibinder.newSetBinder(binder(), Measured.class);
        measured.addBinding().to(Key.CONTEXT_FIGURES);
        measured.addBinding().to(Key.MEMORY_FIGURES);
        // Closed at stop, the last added first: the store, added here, closes after what the choices open.
        Multibinder.newSetBinder(binder(), AutoCloseable.class, Names.named(Owned.NAME)).addBinding()
                .to(JdbcStore.class);
    }

    /** The one clock: prompts' time line (the local zone), action deadlines. Tests pass one they move. */
    @Provides
    @Singleton
    Clock clock() {
        return clock;
    }

    @Provides
    @Singleton
    BasePrompt basePrompt() {
        return BasePrompt.of(config.systemPromptFile());
    }

    /** Opened (and migrated) when first asked for; the server closes it last. */
    @Provides
    @Singleton
    JdbcStore store() {
        return JdbcStore.open(config.store());
    }

    @Provides
    @Singleton
    Accounts accounts(JdbcStore store) {
        return store.accounts();
    }

    @Provides
    @Singleton
    AccessTokens tokens(Accounts accounts) {
        return accounts;
    }

    @Provides
    @Singleton
    @Named("store")
    HealthCheck storeCheck(JdbcStore store) {
        return () -> store.ping() ? Health.ok(Map.of()) : Health.problem(Map.of(), "The database ("
                + store.describe() + ") does not answer; see docs/data.md", Optional.of(ErrorCode.STORE_UNAVAILABLE));
    }

    @Provides
    @Singleton
    Readiness readiness(@Named("store") HealthCheck store, @Named("home") HealthCheck home,
            @Named("llm") HealthCheck llm, @Named("shared") HealthCheck shared) {
        return new Readiness(store, home, llm, shared);
    }

    @Provides
    @Singleton
    CaffeinePromptContextSource context(@Named("homes") PromptContextSource homes,
            dev.chatstream.core.Invalidations invalidations) {
        CaffeinePromptContextSource cache = CaffeinePromptContextSource.wrap(homes, CacheSettings.defaults());
        // a home changed through any node (this one included) drops this node's cached copy
        invalidations.listen((user, kind) -> {
            if (kind == dev.chatstream.core.Invalidations.Kind.HOME) {
                cache.invalidate(user);
            }
        });
        return cache;
    }

    /**
     * Homes for everything that changes them: writes go to the store, drop the user's cached home, and are announced
     * to every node.
     */
    @Provides
    @Singleton
    HomeContextStore homeStore(CaffeinePromptContextSource context, JdbcStore store,
            dev.chatstream.core.Invalidations invalidations) {
        return dev.chatstream.core.Invalidations.announcing(context.homeContextStore(store.homes()), invalidations);
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
    CaffeineMemoryStore memories(JdbcStore store, dev.chatstream.core.Invalidations invalidations) {
        CaffeineMemoryStore cache = CaffeineMemoryStore.wrap(store.memories(), CacheSettings.defaults());
        invalidations.listen((user, kind) -> {
            if (kind == dev.chatstream.core.Invalidations.Kind.MEMORIES) {
                cache.invalidate(user);
            }
        });
        return cache;
    }

    /** Memories for everything: changes drop the user's cached recalls and are announced to every node. */
    @Provides
    @Singleton
    MemoryStore memoryStore(CaffeineMemoryStore memories, dev.chatstream.core.Invalidations invalidations) {
        return dev.chatstream.core.Invalidations.announcing(memories, invalidations);
    }

    @Provides
    @Singleton
    @Named(Key.CONTEXT_FIGURES_NAME)
    Measured contextFigures(CaffeinePromptContextSource context) {
        return CacheFigures.of(context);
    }

    @Provides
    @Singleton
    @Named(Key.MEMORY_FIGURES_NAME)
    Measured memoryFigures(CaffeineMemoryStore memories) {
        return CacheFigures.of(memories);
    }

    @Provides
    @Singleton
    ChatSettings chatSettings() {
        return config.chat();
    }

    @Provides
    @Singleton
    ChatStreamer streamer(LlmStream llm, CaffeinePromptContextSource context, MemoryStore memories, Clock clock,
            ChatSettings settings) {
        return new ChatStreamer(llm, context, memories, clock, settings);
    }

    /** The keys of the caches' figures in the set of {@link Measured}. */
    private static final class Key {
        static final String CONTEXT_FIGURES_NAME = "context cache";
        static final String MEMORY_FIGURES_NAME = "memory cache";
        static final com.google.inject.Key<Measured> CONTEXT_FIGURES =
                com.google.inject.Key.get(Measured.class, Names.named(CONTEXT_FIGURES_NAME));
        static final com.google.inject.Key<Measured> MEMORY_FIGURES =
                com.google.inject.Key.get(Measured.class, Names.named(MEMORY_FIGURES_NAME));
    }
}
