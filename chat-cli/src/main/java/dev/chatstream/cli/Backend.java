package dev.chatstream.cli;

import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.EventSink;
import dev.chatstream.core.Memory;
import dev.chatstream.core.StoredMessage;
import java.util.List;
import java.util.OptionalLong;

/**
 * Where the command's chat goes: straight to Ollama with the local store ({@link DirectBackend}), or to a
 * chatstream server over its SSE API ({@link RemoteBackend}). Not thread-safe; one turn at a time.
 */
public interface Backend extends AutoCloseable {

    /**
     * Streams the reply to {@code message} (continuing {@code conversation} when given) to {@code sink}, blocking until its terminal event ({@code Done} or {@code Failed})
     * has been sent; {@code stop.cancel(...)} from another thread ends it promptly and closes the upstream.
     *
     * @throws CliException when the turn is refused before it starts (unknown conversation, bad token...)
     */
    void chat(String message, OptionalLong conversation, ChatOptions options, EventSink sink, Cancellation stop);

    /** The stored messages of one of the user's conversations, oldest first. */
    List<StoredMessage> messages(long conversationId);

    /** The user's memories, oldest first. */
    List<Memory> memories();

    /**
     * Confirms ({@code confirm}) or cancels an action that waits for the user, by its id.
     *
     * @throws CliException when it cannot be decided (unknown, expired, decided already, or no server runs actions)
     */
    ChatEvent.ActionResult decideAction(String id, boolean confirm);

    /** Whether a turn may ask for another model than the configured one. */
    boolean choosesModel();

    /** The model a turn that names none gets, when known (direct mode). */
    default java.util.Optional<String> model() {
        return java.util.Optional.empty();
    }

    /**
     * The models a turn may name (direct mode: what the LLM offers); empty when it cannot tell.
     *
     * @throws dev.chatstream.core.ChatException when the LLM cannot be asked
     */
    default List<String> models() {
        return List.of();
    }

    /** One line for people: where chats go, e.g. {@code Ollama http://127.0.0.1:11434, model llama3.2, as user admin}. */
    String describe();

    @Override
    void close();
}
