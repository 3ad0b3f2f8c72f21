package dev.chatstream.http;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.util.Modules;
import dev.chatstream.core.UserId;
import dev.chatstream.store.JdbcAccounts;
import dev.chatstream.store.JdbcStore;
import dev.chatstream.store.StoreException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The chatstream HTTP server: Jersey on Grizzly, wired by Guice from a {@link ServerConfig}. Start it with
 * {@link #start}, stop it with {@link #close} (graceful: open streams get {@code server_shutdown}), or run
 * {@link #main} from the {@code bin/chatstream-server} launcher.
 */
public final class ChatServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChatServer.class.getName());

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

    private final HttpServer http;
    private final Injector injector;
    private final ServerConfig config;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private ChatServer(HttpServer http, Injector injector, ServerConfig config) {
        this.http = http;
        this.injector = injector;
        this.config = config;
    }

    /**
     * Starts a server. On a first start (no API token yet) it creates the user {@code admin} and prints its
     * token once, with a curl command, to standard output.
     *
     * @throws ConfigException       when the configuration cannot be used (e.g. an unreadable prompt file)
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static ChatServer start(ServerConfig config) {
        return start(config, System.out, List.of());
    }

    static ChatServer start(ServerConfig config, PrintStream console, List<Module> overrides) {
        try {
            return wire(config, console, overrides);
        } catch (ProvisionException | CreationException e) {
            // A provider found the configuration unusable (prompt file, store): say that, not Guice's trace.
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ConfigException unusable) {
                    throw unusable;
                }
                if (t instanceof StoreException store) {
                    throw new ConfigException(store.getMessage());
                }
            }
            throw e;
        }
    }

    private static ChatServer wire(ServerConfig config, PrintStream console, List<Module> overrides) {
        List<Module> chosen = new java.util.ArrayList<>(AdapterModules.chosenBy(config)); // none: Ollama, stored homes
        chosen.addAll(overrides);
        Injector injector = Guice.createInjector(Modules.override(new ServerModule(config)).with(chosen));
        if (injector.getInstance(dev.chatstream.core.LlmStream.class)
                instanceof dev.chatstream.llamacpp.LlamaCppLlmStream llama) {
            injector.getInstance(ServerMetrics.class).watch(llama);
        }
        ResourceConfig app = new ResourceConfig()
                .property(ServerProperties.WADL_FEATURE_DISABLE, true)
                .property(ServerProperties.PROCESSING_RESPONSE_ERRORS_ENABLED, true)
                // Jersey would hold the first 8 KiB of a response to compute its length: events must go at once.
                .property(ServerProperties.OUTBOUND_CONTENT_LENGTH_BUFFER, 0)
                .register(injector.getInstance(AuthFilter.class))
                .register(injector.getInstance(ResponseFilter.class))
                .register(new ErrorMappers.Api())
                .register(new ErrorMappers.Chat())
                .register(new ErrorMappers.Web())
                .register(new ErrorMappers.Unexpected())
                .register(injector.getInstance(ChatResource.class))
                .register(injector.getInstance(HealthResource.class))
                .register(injector.getInstance(MetricsResource.class))
                .register(injector.getInstance(MemoriesResource.class))
                .register(injector.getInstance(ConversationsResource.class))
                .register(injector.getInstance(ContextResource.class))
                .register(injector.getInstance(ActionsResource.class))
                .register(new WebResource());
        URI uri = URI.create("http://" + hostForUri(config.host()) + ":" + config.port() + "/");
        HttpServer http = GrizzlyHttpServerFactory.createHttpServer(uri, app, false);
        NetworkListener listener = http.getListener("grizzly");
        listener.getTransport().setTcpNoDelay(true);
        listener.getTransport().setWriteTimeout(config.slowClientTimeout().toMillis(), TimeUnit.MILLISECONDS);
        // A client that stops reading: at most this much waits per connection, then writes block (and
        // time out after slow.client.seconds) instead of queueing the whole reply in memory.
        listener.setMaxPendingBytes(MAX_PENDING_BYTES);
        try {
            http.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on " + config.host() + ":" + config.port() + " ("
                    + e.getMessage() + "); free the port or set CHATSTREAM_PORT", e);
        }
        ChatServer server = new ChatServer(http, injector, config);
        JdbcAccounts accounts = injector.getInstance(JdbcAccounts.class);
        if (!accounts.anyLiveToken()) {
            String token = server.createToken(UserId.of("admin"));
            console.println("""

                    chatstream: first start, so it created the user "admin". Its API token is shown only now;
                    keep it secret (only its hash is stored, in %s):

                      %s

                    Open the chat page (the part after # never leaves your browser: no server or log sees it):

                      %s#token=%s

                    Or try it with curl (needs Ollama with the model %s):

                      curl -N -H "Authorization: Bearer %s" "%sapi/chat/stream/?message=Ol%%C3%%A1"
                    """.formatted(config.store().describe(), token, server.baseUri(), token, config.model(), token,
                    server.baseUri()));
        }
        return server;
    }

    /** {@code chatstream listening on http://…/ (Ollama …, model …; stored home context); Ctrl-C stops it}. */
    public String banner() {
        return "chatstream listening on " + baseUri() + " (" + config.describeLlm() + "; " + config.describeHome()
                + "); Ctrl-C stops it";
    }

    /** The port the server listens on (the real one when the configuration said 0). */
    public int port() {
        return http.getListener("grizzly").getPort();
    }

    /** {@code http://host:port/}. */
    public URI baseUri() {
        return URI.create("http://" + hostForUri(config.host()) + ":" + port() + "/");
    }

    /** Creates a new API token for {@code user}, adding the user if needed, and returns it (only its hash is kept). */
    String createToken(UserId user) {
        JdbcAccounts accounts = injector.getInstance(JdbcAccounts.class);
        if (accounts.user(user.value()).isEmpty()) {
            accounts.addUser(user.value());
        }
        return accounts.issueToken(user, "created by the server").token();
    }

    <T> T component(Class<T> type) {
        return injector.getInstance(type);
    }

    /**
     * Stops gracefully: refuses new requests, ends every open stream with {@code server_shutdown} (which
     * closes its upstream), waits up to the configured grace for them, then closes the listener.
     */
    @Override
    public void close() {
        try {
            injector.getInstance(OpenStreams.class).shutdown(config.shutdownGrace());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            http.shutdownNow();
            injector.getInstance(ScheduledExecutorService.class).shutdownNow();
            injector.getInstance(JdbcStore.class).close();
            if (injector.getInstance(dev.chatstream.core.LlmStream.class) instanceof AutoCloseable llm) {
                try {
                    llm.close(); // unloads an in-process model
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "The model did not unload cleanly: " + e);
                }
            }
            stopped.countDown();
        }
    }

    /** Blocks until {@link #close} has run. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Runs the server until SIGTERM or Ctrl-C. Flags and environment as in {@code docs/configuration.md}. */
    public static void main(String[] args) throws InterruptedException {
        ServerConfig config;
        ChatServer server;
        try {
            config = ServerConfig.load(List.of(args), System.getenv());
            server = start(config);
        } catch (ConfigException | UncheckedIOException e) {
            System.err.println("chatstream: " + e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "chatstream-shutdown"));
        System.out.println(server.banner());
        LOG.log(System.Logger.Level.INFO, "Listening on " + server.baseUri());
        server.awaitStop();
        System.exit(0); // llama.cpp's native threads would otherwise keep the process alive
    }

    private static String hostForUri(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

}
