package dev.chatstream.http;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import dev.chatstream.core.ActionAudit;
import dev.chatstream.core.ActionDispatcher;
import dev.chatstream.core.ActionExecutor;
import dev.chatstream.core.Measured;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The HTTP server's own wiring: its resources, filters, limits, timers and metrics, and {@link ChatServer}. What it
 * serves comes from bindings of core types made elsewhere (the composition): {@code ChatStreamer},
 * {@code Conversations}, {@code ConversationStore}, {@code MemoryStore}, {@code HomeContextStore},
 * {@code AccessTokens}, {@code ActionExecutor}, {@code LlmStream} (for the models OpenAI's door lists), {@link Readiness} and a {@link Clock}; parts with figures to publish
 * add themselves to the set of {@link Measured}. No I/O here: {@link ChatServer#start} listens.
 */
public final class HttpModule extends AbstractModule {
    private final HttpConfig config;

    public HttpModule(HttpConfig config) {
        this.config = java.util.Objects.requireNonNull(config, "config");
    }

    @Override
    protected void configure() {
        bind(HttpConfig.class).toInstance(config);
        Multibinder.newSetBinder(binder(), Measured.class); // empty unless a part adds itself
        bind(ChatResource.class);
        bind(OpenAiResource.class);
        bind(OllamaResource.class);
        bind(UiChatResource.class).in(Singleton.class); // it remembers each chat's latest turn
        bind(HealthResource.class);
        bind(MetricsResource.class);
        bind(MemoriesResource.class);
        bind(ConversationsResource.class);
        bind(ContextResource.class);
        bind(ActionsResource.class);
        bind(ChatServer.class).in(Singleton.class);
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
    ActionDispatcher actions(ActionExecutor executor, ActionAudit audit, Clock clock,
            dev.chatstream.core.ActionTickets tickets) {
        return new ActionDispatcher(executor, audit, clock, config.actionConfirmTimeout(), tickets);
    }

    @Provides
    @Singleton
    ScheduledExecutorService timers() {
        return Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("chatstream-timers").daemon(true).factory());
    }

    @Provides
    @Singleton
    RateLimiter rateLimiter(dev.chatstream.core.AdmissionLimits limits) {
        return new RateLimiter(limits, new dev.chatstream.core.AdmissionLimits.Rate("chat", config.ratePerMinute(),
                config.rateBurst()));
    }

    @Provides
    @Singleton
    StreamSlots slots(dev.chatstream.core.AdmissionLimits limits) {
        return new StreamSlots(limits, new dev.chatstream.core.AdmissionLimits.StreamCaps(config.streamsPerUser(),
                config.streamsTotal()));
    }

    @Provides
    @Singleton
    OpenStreams openStreams() {
        return new OpenStreams();
    }

    @Provides
    @Singleton
    ServerMetrics metrics(StreamSlots slots, Set<Measured> parts) {
        return new ServerMetrics(slots, parts);
    }

    /** The one watch for clients that leave; {@link ChatServer#close} closes it. */
    @Provides
    @Singleton
    PeerWatch peers() {
        return new PeerWatch();
    }

    @Provides
    @Singleton
    Streams streams(dev.chatstream.core.ChatStreamer streamer, dev.chatstream.core.Conversations conversations,
            ScheduledExecutorService timers, ServerMetrics metrics, OpenStreams openStreams, StreamSlots slots,
            ActionDispatcher actions, PeerWatch peers, dev.chatstream.core.Turns turns,
            dev.chatstream.core.TurnDirectory directory) {
        return new Streams(streamer, conversations, timers, config, metrics, openStreams, slots, actions, peers,
                turns, directory);
    }

    /**
     * Turns that outlive their connections; their timers run on the server's timer thread; their logs are where the
     * composition keeps them (this process's memory on one node, copied to Redis with several).
     */
    @Provides
    @Singleton
    dev.chatstream.core.Turns turns(dev.chatstream.core.TurnLogs logs, ScheduledExecutorService timers, Clock clock,
            dev.chatstream.core.TurnDirectory directory) {
        return new dev.chatstream.core.Turns(logs, (delay, task) -> {
            java.util.concurrent.ScheduledFuture<?> f = timers.schedule(() -> Thread.startVirtualThread(task),
                    delay.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        }, clock, config.turns(), directory);
    }

    @Provides
    @Singleton
    Cors cors() {
        return new Cors(config.corsOrigins());
    }

    /** Changes other than chats, per user: their own bucket, beside the chats' {@link RateLimiter}. */
    @Provides
    @Singleton
    @com.google.inject.name.Named("writes")
    RateLimiter writeLimiter(dev.chatstream.core.AdmissionLimits limits) {
        return new RateLimiter(limits, new dev.chatstream.core.AdmissionLimits.Rate("writes", config.writesPerMinute(),
                config.writesBurst()));
    }

    @Provides
    AuthFilter authFilter(dev.chatstream.core.AccessTokens tokens, Cors cors,
            @com.google.inject.name.Named("writes") RateLimiter writes) {
        return new AuthFilter(tokens, cors, writes);
    }

    @Provides
    ResponseFilter responseFilter(Cors cors) {
        return new ResponseFilter(cors);
    }
}
