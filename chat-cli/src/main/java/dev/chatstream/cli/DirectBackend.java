package dev.chatstream.cli;

import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.ChatStreamer;
import dev.chatstream.core.ConversationNotFoundException;
import dev.chatstream.core.ConversationStore;
import dev.chatstream.core.Conversations;
import dev.chatstream.core.EventSink;
import dev.chatstream.core.InvalidRequestException;
import dev.chatstream.core.Memory;
import dev.chatstream.core.MemoryStore;
import dev.chatstream.core.StoredMessage;
import dev.chatstream.core.UserId;
import java.util.List;
import java.util.OptionalLong;

/**
 * Chats in this process: the core's {@link ChatStreamer} over Ollama, with the user's conversations,
 * memories and home from the local store, exactly as the server would for that user.
 */
final class DirectBackend implements Backend {
    private final Wiring.LocalStore store;
    private final ChatStreamer streamer;
    private final Conversations conversations;
    private final UserId user;
    private final String description;
    private final dev.chatstream.core.LlmStream llm;

    DirectBackend(Wiring.LocalStore store, ChatStreamer streamer, Conversations conversations, UserId user,
            String description, dev.chatstream.core.LlmStream llm) {
        this.llm = llm;
        this.store = store;
        this.streamer = streamer;
        this.conversations = conversations;
        this.user = user;
        this.description = description;
    }

    @Override
    public void chat(String message, OptionalLong conversation, ChatOptions options, EventSink sink,
            Cancellation stop) {
        ChatRequest request = ChatRequest.of(user, message).withOptions(options);
        if (conversation.isPresent()) {
            request = request.withConversationId(conversation.getAsLong());
        }
        ChatRequest resumed;
        try {
            streamer.validate(request);
            resumed = conversations.resume(request);
        } catch (InvalidRequestException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage(), e);
        } catch (ConversationNotFoundException e) {
            throw CliException.conversationNotFound(conversation.getAsLong());
        } catch (ChatException e) {
            throw new CliException(ExitCode.of(e.code()), e.getMessage(), e);
        }
        streamer.stream(resumed, conversations.recording(request, sink), stop);
    }

    @Override
    public List<StoredMessage> messages(long conversationId) {
        ConversationStore stored = store.conversations();
        return stored.messages(user, conversationId).orElseThrow(() -> new CliException(ExitCode.NOT_FOUND,
                "Conversation " + conversationId + " was not found; /new starts a new one"));
    }

    @Override
    public List<Memory> memories() {
        MemoryStore memories = store.memories();
        return memories.list(user);
    }

    @Override
    public ChatEvent.ActionResult decideAction(String id, boolean confirm) {
        throw new CliException(ExitCode.USAGE, "Actions run only through a server with actions.auto=true (chat "
                + "--server=URL); in this mode they are shown, never run");
    }

    @Override
    public boolean choosesModel() {
        return true;
    }

    @Override
    public java.util.Optional<String> model() {
        return llm.configuredModel();
    }

    @Override
    public List<String> models() {
        return llm.models();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        store.close();
    }
}
