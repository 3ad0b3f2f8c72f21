package dev.chatstream.core;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Keeps chat turns in a {@link ConversationStore}. {@link #resume} gives a request that names a stored
 * conversation that conversation's latest messages as its history; {@link #begin} gives one that names none a new
 * conversation, as its turn starts; {@link #recording} wraps the stream's
 * {@link EventSink} so the turn is stored when the stream ends, before the terminal event goes on. A turn
 * that finished is stored with its final text and its {@link ChatEvent.Done} carries the conversation id;
 * one that was stopped or failed is stored with the text the user already saw, marked
 * {@link MessageStatus#CANCELLED} or {@link MessageStatus#FAILED}, so nobody loses what they read. The exception: a
 * failure before the first word in a conversation that holds nothing else is not kept (a conversation begun for
 * it is deleted), so requests that failed (model not found, Ollama down) leave no empty conversations behind.
 * A turn that {@linkplain ChatRequest#replaceFrom replaces} messages (a regenerated reply, an edited message) replaces
 * them when it is stored, in one step; one that ends before its first word (failed or stopped) leaves them as they were.
 *
 * <p>If the finished turn cannot be stored, the client gets a {@code store_unavailable} error in place of
 * {@code done}: it must not believe the turn is kept. Thread-safe; each recording sink serves one stream.
 */
public final class Conversations {
    private static final System.Logger LOG = System.getLogger(Conversations.class.getName());

    private final ConversationStore store;
    private final ChatSettings settings;

    /**
     * @param store    where turns are kept
     * @param settings the history window and limits the stored history is fitted to
     */
    public Conversations(ConversationStore store, ChatSettings settings) {
        this.store = Checks.notNull(store, "store");
        this.settings = Checks.notNull(settings, "settings");
    }

    /**
     * The request to stream. One that names a conversation gets that conversation's latest messages as its
     * history, in place of any history the client sent (for one that {@linkplain ChatRequest#replaceFrom replaces} a
     * message, the messages before that one); any other request is returned unchanged.
     *
     * @throws ConversationNotFoundException when the conversation is not the user's
     * @throws InvalidRequestException       when the message to replace is not one the user wrote in it
     * @throws ChatException                 when the store cannot be read
     */
    public ChatRequest resume(ChatRequest request) {
        Checks.notNull(request, "request");
        if (request.conversationId().isEmpty()) {
            return request;
        }
        long id = request.conversationId().getAsLong();
        List<StoredMessage> messages = guarded(() -> store.messages(request.user(), id))
                .orElseThrow(() -> new ConversationNotFoundException(id));
        if (request.replaceFrom().isEmpty()) {
            return request.withHistory(history(messages));
        }
        long from = request.replaceFrom().getAsLong();
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).id() == from && messages.get(i).role() == Role.USER) {
                return request.withHistory(history(messages.subList(0, i)));
            }
        }
        throw new InvalidRequestException("replace_from", "replace_from " + from + " is not a message you wrote in "
                + "conversation " + id + "; use the id of one of its user messages (GET /api/conversations/" + id + ")");
    }

    /**
     * The request as its turn runs it: one that names no conversation gets a new, empty one (titled after its
     * message), so the turn knows its conversation from its start and a client that stops or reloads it can
     * continue it. Call it only when the turn really starts (not for a retry that finds its turn).
     *
     * @throws ChatException when the store cannot be written
     */
    public ChatRequest begin(ChatRequest request) {
        Checks.notNull(request, "request");
        if (request.conversationId().isPresent()) {
            return request;
        }
        return request.withConversationId(guarded(() -> store.startConversation(request.user(), request.message())));
    }

    /** The newest non-empty messages that fit the window and the request limits, oldest first. */
    private List<ChatMessage> history(List<StoredMessage> messages) {
        int keep = Math.min(settings.historyWindow(), settings.maxHistoryItems());
        Deque<ChatMessage> history = new ArrayDeque<>();
        long total = 0;
        for (int i = messages.size() - 1; i >= 0 && history.size() < keep; i--) {
            StoredMessage m = messages.get(i);
            if (m.content().isBlank()) {
                continue; // a reply that failed before its first word
            }
            String content = m.content();
            if (content.length() > settings.maxHistoryItemChars()) {
                content = content.substring(0, settings.maxHistoryItemChars());
            }
            if (total + content.length() > settings.maxHistoryTotalChars()) {
                break;
            }
            total += content.length();
            history.addFirst(new ChatMessage(m.role(), content));
        }
        return List.copyOf(history);
    }

    /** A sink that stores the turn of {@code request} when its terminal event arrives, then passes events on. */
    public EventSink recording(ChatRequest request, EventSink sink) {
        return new Recorder(Checks.notNull(request, "request"), Checks.notNull(sink, "sink"));
    }

    private final class Recorder implements EventSink {
        private final ChatRequest request;
        private final EventSink sink;
        private final StringBuilder shown = new StringBuilder();
        /** The actions, results and errors that reached the user, kept with the reply. */
        private final List<ChatEvent> seen = new java.util.ArrayList<>();
        private String finalText;

        Recorder(ChatRequest request, EventSink sink) {
            this.request = request;
            this.sink = sink;
        }

        @Override
        public boolean send(ChatEvent event) {
            switch (event) {
                case ChatEvent.Chunk c -> {
                    boolean delivered = sink.send(event);
                    if (delivered) {
                        shown.append(c.content()); // only what reached the user counts as seen
                    }
                    return delivered;
                }
                case ChatEvent.FinalText f -> finalText = f.text();
                case ChatEvent.Done d -> {
                    String text = finalText != null ? finalText : shown.toString().strip();
                    long id;
                    try {
                        id = save(new Reply(text, d.usage().truncated() ? MessageStatus.TRUNCATED : MessageStatus.COMPLETE,
                                seen));
                    } catch (ChatException e) {
                        LOG.log(Level.WARNING, "A finished turn of user " + request.user() + " could not be stored", e);
                        return sink.send(new ChatEvent.Failed(e.code(), e instanceof ConversationNotFoundException
                                ? e.getMessage() + " (it was deleted while the reply was streaming)"
                                : "The reply could not be saved: " + e.getMessage()));
                    }
                    return sink.send(d.withConversationId(id));
                }
                case ChatEvent.Failed f -> {
                    String text = shown.toString().strip();
                    if (text.isEmpty() && request.replaceFrom().isPresent()) {
                        // a regenerate or an edit that showed nothing: the turns it was to replace stay as they were
                        return sink.send(f);
                    }
                    if (text.isEmpty() && statusOf(f.code()) == MessageStatus.FAILED && onlyTurn()) {
                        // a new conversation that would hold nothing but this error (model not found, Ollama
                        // down...): not kept, so failed requests leave no empty conversations behind
                        discard();
                        return sink.send(f);
                    }
                    if (f.code() != ErrorCode.INVALID_REQUEST && f.code() != ErrorCode.CONVERSATION_NOT_FOUND) {
                        try {
                            List<ChatEvent> all = new java.util.ArrayList<>(seen);
                            all.add(f);
                            long id = save(new Reply(text, statusOf(f.code()), all));
                            return sink.send(f.withConversationId(id));
                        } catch (ChatException e) {
                            LOG.log(Level.WARNING, "The unfinished turn of user " + request.user()
                                    + " could not be stored", e);
                        }
                    }
                }
                case ChatEvent.Thinking t -> {
                }
                case ChatEvent.ActionRequested a -> {
                    return keep(event);
                }
                case ChatEvent.InvalidAction i -> {
                    return keep(event);
                }
                case ChatEvent.ActionResult r -> {
                    return keep(event);
                }
                case ChatEvent.Queued q -> {
                }
                case ChatEvent.Phase p -> {
                }
                case ChatEvent.Speech s -> {
                }
            }
            return sink.send(event);
        }

        /** Sends an action, a result or an unreadable action on, and keeps it for the stored reply once delivered. */
        private boolean keep(ChatEvent event) {
            boolean delivered = sink.send(event);
            if (delivered) {
                seen.add(event);
            }
            return delivered;
        }

        /** Whether this turn would be its conversation's only one: a new one, or one begun for it, still empty. */
        private boolean onlyTurn() {
            if (request.conversationId().isEmpty()) {
                return true;
            }
            try {
                return store.messages(request.user(), request.conversationId().getAsLong())
                        .map(List::isEmpty).orElse(false);
            } catch (RuntimeException e) {
                return false; // keep the turn: storing it is tried (and reported) as for any other
            }
        }

        /** Deletes the empty conversation begun for this turn, if there is one. */
        private void discard() {
            if (request.conversationId().isEmpty()) {
                return;
            }
            try {
                store.delete(request.user(), request.conversationId().getAsLong());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "An empty conversation of user " + request.user() + " could not be deleted", e);
            }
        }

        private long save(Reply reply) {
            if (request.replaceFrom().isPresent()) {
                return guarded(() -> store.replaceTurns(request.user(), request.conversationId().getAsLong(),
                        request.replaceFrom().getAsLong(), request.message(), reply));
            }
            return guarded(() -> store.saveTurn(request.user(), request.conversationId(), request.message(), reply));
        }
    }

    private static MessageStatus statusOf(ErrorCode code) {
        return switch (code) {
            case CANCELLED, TIMEOUT, SERVER_SHUTDOWN -> MessageStatus.CANCELLED;
            default -> MessageStatus.FAILED;
        };
    }

    private interface StoreCall<T> {
        T call();
    }

    /** Store adapters throw {@link ChatException}s; anything else is a bug that still must not lose the stream. */
    private static <T> T guarded(StoreCall<T> call) {
        try {
            return call.call();
        } catch (ChatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TransientException(ErrorCode.STORE_UNAVAILABLE,
                    "The conversation store failed; try again in a moment", e);
        }
    }
}
