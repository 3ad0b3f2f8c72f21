package dev.chatstream.http;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The chatstream HTTP server: Jersey on Grizzly, built by {@link HttpModule}. {@link #start} listens,
 * {@link #close} stops gracefully (open streams get {@code server_shutdown}). It does not own what it serves: the
 * composition that built it closes the store and the model after it.
 */
public final class ChatServer implements AutoCloseable {
    static final int MAX_PENDING_BYTES = 256 * 1024;

    /**
     * Jersey warns that resource instances "do not implement any provider interfaces" and "will be ignored"
     * (Jersey issue 3700): wrong, they are served. Held in a field because JUL keeps loggers weakly.
     */
    private static final java.util.logging.Logger JERSEY_PROVIDERS =
            java.util.logging.Logger.getLogger("org.glassfish.jersey.internal.inject.Providers");

    static {
        JERSEY_PROVIDERS.setLevel(java.util.logging.Level.SEVERE);
    }

    private final HttpConfig config;
    private final ResourceConfig app;
    private final OpenStreams openStreams;
    private final StreamSlots slots;
    private final ScheduledExecutorService timers;
    private final PeerWatch peers;
    private final dev.chatstream.core.Turns turns;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile HttpServer http;
    /** Whether it drains before it stops: with several nodes, where the others take the new chats meanwhile. */
    private final boolean drains;

    @Inject
    ChatServer(HttpConfig config, AuthFilter auth, ResponseFilter response, ChatResource chat, HealthResource health,
            MetricsResource metrics, MemoriesResource memories, ConversationsResource conversations,
            ContextResource context, ActionsResource actions, OpenAiResource openAi, OllamaResource ollama, UiChatResource ui,
            OpenStreams openStreams, StreamSlots slots,
            ScheduledExecutorService timers, PeerWatch peers, dev.chatstream.core.Turns turns,
            dev.chatstream.core.TurnDirectory directory) {
        this.drains = directory.shared();
        this.config = config;
        this.turns = turns;
        this.peers = peers;
        this.openStreams = openStreams;
        this.slots = slots;
        this.timers = timers;
        this.app = new ResourceConfig()
                .property(ServerProperties.WADL_FEATURE_DISABLE, true)
                .property(ServerProperties.PROCESSING_RESPONSE_ERRORS_ENABLED, true)
                // Jersey would hold the first 8 KiB of a response to compute its length: events must go at once.
                .property(ServerProperties.OUTBOUND_CONTENT_LENGTH_BUFFER, 0)
                .register(auth)
                .register(response)
                .register(new ErrorMappers.Api())
                .register(new ErrorMappers.Chat())
                .register(new ErrorMappers.Web())
                .register(new ErrorMappers.Unexpected())
                .register(chat)
                .register(health)
                .register(metrics)
                .register(memories)
                .register(conversations)
                .register(context)
                .register(actions)
                .register(openAi)
                .register(ollama)
                .register(ui)
                .register(new MeResource())
                .register(new WebResource());
    }

    /**
     * Grizzly logs a WARNING with a stack trace for every request it cannot parse (a malformed chunk, a broken
     * body): the client already got its 400, and anyone could fill the log that way. Held here so the logger and
     * its filter stay configured (java.util.logging keeps loggers only weakly).
     */
    private static final java.util.logging.Logger GRIZZLY_CHAIN =
            java.util.logging.Logger.getLogger("org.glassfish.grizzly.filterchain.DefaultFilterChain");

    private static void quietGrizzlysClientErrors() {
        GRIZZLY_CHAIN.setFilter(r -> !(r.getThrown() instanceof org.glassfish.grizzly.http.HttpBrokenContentException
                || r.getThrown() instanceof java.io.IOException));
    }

    /**
     * Listens on the configured host and port.
     *
     * @throws UncheckedIOException when the port cannot be bound; the message says what to do
     * @throws IllegalStateException when already started
     */
    public synchronized ChatServer start() {
        quietGrizzlysClientErrors();
        if (http != null) {
            throw new IllegalStateException("The server is already started on " + baseUri());
        }
        URI uri = URI.create("http://" + hostForUri(config.host()) + ":" + config.port() + "/");
        HttpServer server = GrizzlyHttpServerFactory.createHttpServer(uri, app, false);
        org.glassfish.grizzly.http.server.ServerConfiguration handlers = server.getServerConfiguration();
        for (var h : java.util.Map.copyOf(handlers.getHttpHandlersWithMapping()).entrySet()) {
            handlers.removeHttpHandler(h.getKey()); // a body over the limit is refused before 100 Continue
            handlers.addHttpHandler(new BodyLimitHandler(h.getKey(), config.maxBodyBytes()), h.getValue());
        }
        NetworkListener listener = server.getListener("grizzly");
        listener.getTransport().setTcpNoDelay(true);
        listener.getTransport().setWriteTimeout(config.slowClientTimeout().toMillis(), TimeUnit.MILLISECONDS);
        // One blocking read of a request body waits at most limits.body.seconds; JsonBodies bounds the whole body.
        listener.getTransport().setReadTimeout(config.bodyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        // A client that stops reading: at most this much waits per connection, then writes block (and
        // time out after slow.client.seconds) instead of queueing the whole reply in memory.
        listener.setMaxPendingBytes(MAX_PENDING_BYTES);
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on " + config.host() + ":" + config.port() + " ("
                    + e.getMessage() + "); free the port or set CHATSTREAM_PORT", e);
        }
        http = server;
        return this;
    }

    /** The port the server listens on (the real one when the configuration said 0). */
    public int port() {
        return started().getListener("grizzly").getPort();
    }

    /** {@code http://host:port/}. */
    public URI baseUri() {
        return URI.create("http://" + hostForUri(config.host()) + ":" + port() + "/");
    }

    /** Streams holding a slot now (a stream frees its slot once its turn is stored). */
    public int streamsOpen() {
        return slots.open();
    }

    /** Streams registered for shutdown now. */
    public int streamsRunning() {
        return openStreams.size();
    }

    /**
     * Stops gracefully: refuses new requests, ends every open stream with {@code server_shutdown} (which
     * closes its upstream), waits up to the configured grace until each one's response is complete (its last
     * event and the end of its chunked body written), then closes the listener and every connection.
     */
    @Override
    public void close() {
        try {
            if (drains) {
                drain();
            }
            // every turn ends with server_shutdown, also those nobody reads now (resumable, in their grace)
            turns.stopAll(dev.chatstream.core.ErrorCode.SERVER_SHUTDOWN, OpenStreams.SHUTDOWN_MESSAGE);
            openStreams.shutdown(config.shutdownGrace());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            HttpServer server = http;
            if (server != null) {
                server.shutdownNow();
            }
            timers.shutdownNow();
            peers.close();
            stopped.countDown();
        }
    }

    /**
     * With several nodes, before the stop: takes no new connection (the port is free at once, for this node's next
     * start; nginx sends new chats to the other nodes) and no new chat or resume on the connections it has (503), and
     * waits, up to the configured grace, until the turns it runs have ended, their clients served to the end.
     */
    private void drain() throws InterruptedException {
        openStreams.drain();
        HttpServer server = http;
        if (server != null) {
            for (NetworkListener l : server.getListeners()) {
                l.getTransport().unbindAll();
            }
        }
        // said on the console, not logged: this runs in a shutdown hook, where java.util.logging may already be reset
        long started = System.nanoTime();
        System.err.println("chatstream: stopping: draining " + turns.running() + " running replies for up to "
                + config.shutdownGrace().toSeconds() + " s (shutdown.seconds); new chats go to the other nodes");
        long deadline = started + config.shutdownGrace().toNanos();
        while (turns.running() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        int left = turns.running();
        System.err.println(left == 0
                ? "chatstream: stopping: every reply ended, in " + java.time.Duration.ofNanos(System.nanoTime()
                        - started).toMillis() + " ms of draining"
                : "chatstream: stopping: " + left + " replies still ran after " + config.shutdownGrace().toSeconds()
                        + " s of draining; they end now with server_shutdown");
    }

    /** Blocks until {@link #close} has run. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    private HttpServer started() {
        HttpServer server = http;
        if (server == null) {
            throw new IllegalStateException("The server is not started");
        }
        return server;
    }

    private static String hostForUri(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
