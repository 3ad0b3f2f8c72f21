package dev.chatstream.app;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.TypeLiteral;
import com.google.inject.name.Names;
import dev.chatstream.core.Accounts;
import dev.chatstream.core.ConfigException;
import dev.chatstream.core.UserId;
import dev.chatstream.http.ChatServer;
import dev.chatstream.http.HttpModule;
import dev.chatstream.store.StoreException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The chatstream server as {@code bin/chatstream-server} and {@code chat serve} run it: the HTTP server over the
 * adapters the settings choose. {@link #start} wires and listens; {@link #close} stops the HTTP server gracefully,
 * then closes what the wiring opened (an in-process model, the store).
 */
public final class Server implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Server.class.getName());

    private final Injector injector;
    private final ChatServer http;
    private final AppConfig config;
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

    private Server(Injector injector, ChatServer http, AppConfig config) {
        this.injector = injector;
        this.http = http;
        this.config = config;
    }

    /**
     * Starts a server. On a first start (no API token yet) it creates the user {@code admin} and prints its token
     * once, with a link to the chat page and a curl command, to {@code console}.
     *
     * @throws ConfigException      when a setting cannot be used (an unreadable prompt file, an unreachable store)
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static Server start(AppConfig config, PrintStream console) {
        return start(config, console, Clock.systemDefaultZone(), standardOutputIsATerminal());
    }

    /**
     * As {@link #start(AppConfig, PrintStream)}, on {@code clock} (tests move it instead of sleeping); the first
     * start's token goes to {@code console} only when {@code consoleIsATerminal}, else to an owner-only file.
     */
    static Server start(AppConfig config, PrintStream console, Clock clock, boolean consoleIsATerminal) {
        Injector injector = injector(config, clock);
        Server server;
        try {
            injector.getInstance(dev.chatstream.core.LlmStream.class); // an in-process model loads now, not at the first chat
            server = new Server(injector, injector.getInstance(ChatServer.class).start(), config);
        } catch (ProvisionException e) {
            closeOwned(injector);
            throw unusable(e);
        } catch (RuntimeException e) { // the port is taken: give back what was opened (the model, the store)
            closeOwned(injector);
            throw e;
        }
        Accounts accounts = injector.getInstance(Accounts.class);
        if (!accounts.anyLiveToken()) {
            String token = server.createToken(UserId.of("admin"));
            if (!consoleIsATerminal) {
                firstTokenToFile(config, console, token, server.baseUri());
                return server;
            }
            console.println("""

                    chatstream: first start, so it created the user "admin". Its API token is shown only now;
                    keep it secret (only its hash is stored, in %s):

                      %s

                    Open the chat page (the part after # never leaves your browser: no server or log sees it):

                      %s#token=%s

                    Or try it with curl (chats go to %s):

                      curl -N -H "Authorization: Bearer %s" "%sapi/chat/stream/?message=Ol%%C3%%A1"
                    """.formatted(config.store().describe(), token, server.baseUri(), token, config.describeLlm(), token,
                    server.baseUri()));
        }
        return server;
    }

    /**
     * Standard output is a pipe or a file (systemd's journal, {@code docker logs}, a CI log): the token must not go
     * there. It goes to {@code <data.dir>/admin-token}, readable by its owner only, and the console says where.
     */
    private static void firstTokenToFile(AppConfig config, PrintStream console, String token, URI base) {
        java.nio.file.Path file = config.dataDir().resolve(FIRST_TOKEN_FILE);
        try {
            java.nio.file.Files.createDirectories(config.dataDir(), java.nio.file.attribute.PosixFilePermissions
                    .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            java.nio.file.Files.deleteIfExists(file);
            java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            java.nio.file.Files.writeString(file, token + "\n");
        } catch (java.io.IOException | UnsupportedOperationException e) {
            console.println("chatstream: first start, so it created the user \"admin\", but its token could not be "
                    + "written to " + file + " (" + e.getMessage() + "); create one with: chat tokens create --user admin");
            return;
        }
        console.println("""

                chatstream: first start, so it created the user "admin". Its API token is in %s, readable by you
                only (standard output is not a terminal, so it is not printed where logs would keep it). Read it,
                keep it secret, then delete the file; open the chat page with it:

                  %s#token=<the token>
                """.formatted(file, base));
    }

    /** Linux: standard output is a terminal when it points at a tty device; elsewhere, when there is a console. */
    private static boolean standardOutputIsATerminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return System.console() != null;
        }
    }

    /** Where a first start that cannot print its token (no terminal) writes it. */
    static final String FIRST_TOKEN_FILE = "admin-token";

    /** The wiring for these settings; providers run when asked, so a bad setting surfaces then. */
    static Injector injector(AppConfig config, Clock clock) {
        List<Module> modules = new ArrayList<>(Modules.chosenBy(config, clock));
        modules.add(new HttpModule(config.http()));
        try {
            return Guice.createInjector(modules);
        } catch (CreationException e) {
            throw unusable(e);
        }
    }

    /** A provider found the settings unusable (prompt file, store, model file): say that, not Guice's trace. */
    static RuntimeException unusable(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException bad) {
                return bad;
            }
            if (t instanceof StoreException store) {
                return new ConfigException(store.getMessage());
            }
        }
        return e;
    }

    /** {@code chatstream listening on http://…/ (Ollama …, model …; stored home context); Ctrl-C stops it}. */
    public String banner() {
        return "chatstream listening on " + baseUri() + " (" + config.describeLlm() + "; " + config.describeHome()
                + config.redis().map(r -> "; shared with other nodes through Redis " + r.url()).orElse("")
                + "); Ctrl-C stops it";
    }

    /**
     * Whether chats can work now: empty when the model answers (and, with several nodes, Redis), else a line for each
     * thing that is wrong and what to do (Ollama down, the model not installed, Redis unreachable), said at start so
     * nobody learns it from a first failed chat. Asks the readiness checks once (within their own timeouts); the server
     * runs either way.
     */
    public java.util.Optional<String> startupProblem() {
        dev.chatstream.http.Readiness readiness = injector.getInstance(dev.chatstream.http.Readiness.class);
        dev.chatstream.core.Health llm = readiness.llm().check();
        dev.chatstream.core.Health shared = readiness.shared().check();
        java.util.List<String> lines = new java.util.ArrayList<>();
        llm.problem().filter(p -> !llm.ok()).ifPresent(p -> lines.add("chatstream: chats will fail until this is "
                + "fixed: " + p + " (the server runs; GET /api/ready says when it is ready)"));
        shared.problem().filter(p -> !shared.ok()).ifPresent(p -> lines.add("chatstream: " + p
                + " (chats work; GET /api/ready says degraded until then)"));
        return lines.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(String.join("\n", lines));
    }

    /** The port the server listens on (the real one when the settings said 0). */
    public int port() {
        return http.port();
    }

    /** {@code http://host:port/}. */
    public URI baseUri() {
        return http.baseUri();
    }

    /** The HTTP server, for what it counts (open streams). */
    ChatServer http() {
        return http;
    }

    /** Creates a new API token for {@code user}, adding the user if needed, and returns it (only its hash is kept). */
    String createToken(UserId user) {
        Accounts accounts = injector.getInstance(Accounts.class);
        if (accounts.user(user.value()).isEmpty()) {
            accounts.addUser(user.value());
        }
        return accounts.issueToken(user, "created by the server").token();
    }

    <T> T component(Class<T> type) {
        return injector.getInstance(type);
    }

    /**
     * Stops gracefully: the HTTP server first (open streams get {@code server_shutdown} and up to the shutdown
     * grace to end), then what the wiring opened, the last opened first.
     */
    @Override
    public void close() {
        try {
            http.close();
        } finally {
            closeOwned(injector);
            stopped.countDown();
        }
    }

    /** Closes what the modules opened, the last opened first; one that fails is logged, the others still close. */
    private static void closeOwned(Injector injector) {
        List<AutoCloseable> owned;
        try {
            owned = new ArrayList<>(injector.getInstance(
                    Key.get(new TypeLiteral<Set<AutoCloseable>>() { }, Names.named(Owned.NAME))));
        } catch (ProvisionException e) {
            return; // what could not be provided was never opened
        }
        java.util.Collections.reverse(owned);
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "Closing " + c.getClass().getSimpleName() + " failed: " + e);
            }
        }
    }

    /** Blocks until {@link #close} has run. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Runs the server until SIGTERM or Ctrl-C. Flags and environment as in {@code docs/configuration.md}. */
    /**
     * The libraries' own INFO lines (the pool starting, each migration, Grizzly's listener) are not what a person
     * starting the server needs to read between the banner's lines (issue 27 item 14): only their warnings and
     * errors go to the log. chatstream's own lines (access log, the listening line) stay. JUL holds loggers weakly,
     * so these are kept here.
     */
    private static final List<java.util.logging.Logger> LIBRARIES = List.of(
            java.util.logging.Logger.getLogger("com.zaxxer.hikari"),
            java.util.logging.Logger.getLogger("org.flywaydb"),
            java.util.logging.Logger.getLogger("org.glassfish.grizzly"),
            java.util.logging.Logger.getLogger("org.glassfish.jersey"));

    /**
     * Keeps the libraries' chatter out of what a person reads (warnings still show): both mains call it, the server's
     * and {@code chat}'s (whose store opens print the pool's and the migrations' lines otherwise).
     */
    static void quietLibraries() {
        for (java.util.logging.Logger l : LIBRARIES) {
            l.setLevel(java.util.logging.Level.WARNING);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        quietLibraries();
        Server server;
        try {
            server = start(AppConfig.load(List.of(args), System.getenv()), System.out);
        } catch (ConfigException | UncheckedIOException e) {
            System.err.println("chatstream: " + e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "chatstream-shutdown"));
        System.out.println(server.banner());
        server.startupProblem().ifPresent(System.out::println);
        LOG.log(System.Logger.Level.INFO, "Listening on " + server.baseUri());
        server.awaitStop();
        System.exit(0); // llama.cpp's native threads would otherwise keep the process alive
    }
}
