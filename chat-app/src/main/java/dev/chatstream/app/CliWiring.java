package dev.chatstream.app;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import dev.chatstream.cli.Wiring;
import dev.chatstream.core.Accounts;
import dev.chatstream.core.ChatStreamer;
import dev.chatstream.core.Conversations;
import dev.chatstream.core.ConversationStore;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.HomeContext;
import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.MemoryStore;
import dev.chatstream.core.TransientException;
import dev.chatstream.core.UserId;
import dev.chatstream.http.HomeContextJson;
import dev.chatstream.store.JdbcStore;
import dev.chatstream.store.StoreException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code chat} command's {@link Wiring}: the same settings and modules as the server. Direct chats use the
 * store without caches (one process, one user) and never run actions (they are shown).
 */
final class CliWiring implements Wiring {

    @Override
    public Path dataDir(List<String> settings, Map<String, String> env) {
        return AppConfig.load(settings, env).dataDir();
    }

    @Override
    public LocalStore openStore(List<String> settings, Map<String, String> env) {
        return local(open(AppConfig.load(settings, env)));
    }

    @Override
    public Direct direct(List<String> settings, Map<String, String> env, UserId user) {
        AppConfig config = AppConfig.load(settings, env);
        Injector injector;
        try { // the same modules as the server's, without the HTTP server
            injector = Guice.createInjector(Modules.chosenBy(config, java.time.Clock.systemDefaultZone()));
        } catch (com.google.inject.CreationException e) {
            throw Server.unusable(e);
        }
        try {
            JdbcStore store = injector.getInstance(JdbcStore.class);
            // One process, one user: the homes and memories straight from the store, without the server's caches.
            ChatStreamer streamer = new ChatStreamer(injector.getInstance(dev.chatstream.core.LlmStream.class),
                    injector.getInstance(com.google.inject.Key.get(dev.chatstream.core.PromptContextSource.class,
                            com.google.inject.name.Names.named("homes"))),
                    store.memories(), injector.getInstance(java.time.Clock.class), config.chat());
            return new Direct(local(store), streamer, injector.getInstance(Conversations.class),
                    config.describeLlm() + ", as user " + user + ", data in "
                            + config.store().describe().replaceFirst("^jdbc:sqlite:", ""),
                    injector.getInstance(dev.chatstream.core.LlmStream.class));
        } catch (ProvisionException e) {
            throw isStore(e) ? storeDown(e) : Server.unusable(e);
        }
    }

    @Override
    public Served serve(List<String> settings, Map<String, String> env) {
        Server server = Server.start(AppConfig.load(settings, env), System.out);
        return new Served() {
            @Override
            public String banner() {
                return server.banner();
            }

            @Override
            public java.util.Optional<String> startupProblem() {
                return server.startupProblem();
            }

            @Override
            public void awaitStop() throws InterruptedException {
                server.awaitStop();
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }

    @Override
    public HomeContext parseHome(byte[] json) {
        return HomeContextJson.parse(json);
    }

    @Override
    public String formatHome(HomeContext home) {
        return HomeContextJson.format(home);
    }

    private static JdbcStore open(AppConfig config) {
        try {
            return JdbcStore.open(config.store());
        } catch (StoreException e) {
            throw new TransientException(ErrorCode.STORE_UNAVAILABLE, e.getMessage(), e);
        }
    }

    private static boolean isStore(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StoreException) {
                return true;
            }
        }
        return false;
    }

    private static RuntimeException storeDown(RuntimeException e) {
        return new TransientException(ErrorCode.STORE_UNAVAILABLE, e.getMessage(), e);
    }

    private static LocalStore local(JdbcStore store) {
        return new LocalStore() {
            @Override
            public Accounts accounts() {
                return store.accounts();
            }

            @Override
            public MemoryStore memories() {
                return store.memories();
            }

            @Override
            public ConversationStore conversations() {
                return store.conversations();
            }

            @Override
            public HomeContextStore homes() {
                return store.homes();
            }

            @Override
            public String describe() {
                return store.describe();
            }

            @Override
            public void close() {
                store.close();
            }
        };
    }
}
