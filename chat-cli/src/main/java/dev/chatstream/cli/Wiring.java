package dev.chatstream.cli;

import dev.chatstream.core.Accounts;
import dev.chatstream.core.ChatStreamer;
import dev.chatstream.core.ConversationStore;
import dev.chatstream.core.Conversations;
import dev.chatstream.core.HomeContext;
import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.MemoryStore;
import dev.chatstream.core.UserId;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the {@code chat} command needs from the composition that runs it: everything that takes an adapter (the
 * store, the LLM, the server), built from the command line's {@code --key=value} settings and the environment
 * ({@code docs/configuration.md}). Every method may throw {@link dev.chatstream.core.ConfigException} for a bad
 * setting, and a {@code store_unavailable} {@link dev.chatstream.core.ChatException} when the database cannot be
 * opened; the commands turn those into exit codes.
 */
public interface Wiring {
    /** Where local data lives ({@code data.dir}); the interactive chat keeps its line history there. */
    Path dataDir(List<String> settings, Map<String, String> env);

    /** Opens (creating and migrating if needed) the store the settings name; the caller closes it. */
    LocalStore openStore(List<String> settings, Map<String, String> env);

    /** Chats in this process, straight to the LLM, with the local store, as {@code user}; nothing opens before. */
    Direct direct(List<String> settings, Map<String, String> env, UserId user);

    /**
     * Starts the HTTP server ({@code chat serve}).
     *
     * @throws java.io.UncheckedIOException when the port cannot be bound
     */
    Served serve(List<String> settings, Map<String, String> env);

    /**
     * Reads and validates a home context document ({@code chat context import}).
     *
     * @throws dev.chatstream.core.InvalidRequestException naming the bad field
     */
    HomeContext parseHome(byte[] json);

    /** A home context as the document {@code chat context show} prints. */
    String formatHome(HomeContext home);

    /** The local database: users, tokens, memories, conversations and homes. */
    interface LocalStore extends AutoCloseable {
        Accounts accounts();

        MemoryStore memories();

        ConversationStore conversations();

        HomeContextStore homes();

        /** For people: where the data lives, e.g. {@code jdbc:sqlite:/home/ana/.local/share/chatstream/chatstream.db}. */
        String describe();

        @Override
        void close();
    }

    /**
     * A chat engine in this process.
     *
     * @param store         the store the turns are kept in (closed with the chat)
     * @param streamer      the use case over the configured LLM
     * @param conversations stores each turn
     * @param description   for people: the LLM, the user and where the data lives
     * @param llm           the LLM itself, for the models it offers ({@code /model})
     */
    record Direct(LocalStore store, ChatStreamer streamer, Conversations conversations, String description,
                  dev.chatstream.core.LlmStream llm) {
        public Direct {
            java.util.Objects.requireNonNull(llm, "llm");
            java.util.Objects.requireNonNull(store, "store");
            java.util.Objects.requireNonNull(streamer, "streamer");
            java.util.Objects.requireNonNull(conversations, "conversations");
            java.util.Objects.requireNonNull(description, "description");
        }
    }

    /** A running server. */
    interface Served {
        /** {@code chatstream listening on http://…/ (…); Ctrl-C stops it}. */
        String banner();

        /** What would make chats fail now (Ollama down, the model missing), asked once; empty when none. */
        java.util.Optional<String> startupProblem();

        /** Blocks until the server has stopped. */
        void awaitStop() throws InterruptedException;

        /** Stops gracefully. */
        void close();
    }
}
