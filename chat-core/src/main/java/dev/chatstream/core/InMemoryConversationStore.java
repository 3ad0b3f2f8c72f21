package dev.chatstream.core;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@link ConversationStore} in memory, for tests and for embedders who keep nothing across restarts.
 * Thread-safe (one lock).
 */
public final class InMemoryConversationStore implements ConversationStore {
    private final Clock clock;
    private final Map<Long, Stored> byId = new HashMap<>();
    private long nextConversationId;
    private long nextMessageId;

    private static final class Stored {
        final UserId owner;
        String title;
        final Instant createdAt;
        final List<StoredMessage> messages = new ArrayList<>();
        Instant updatedAt;
        long lastMessageId;

        Stored(UserId owner, String title, Instant createdAt) {
            this.owner = owner;
            this.title = title;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }

        Conversation view(long id) {
            return new Conversation(id, title, createdAt, updatedAt);
        }
    }

    /** A store stamping messages with the system clock. */
    public InMemoryConversationStore() {
        this(Clock.systemUTC());
    }

    /** A store stamping messages with {@code clock}. */
    public InMemoryConversationStore(Clock clock) {
        this.clock = Checks.notNull(clock, "clock");
    }

    @Override
    public synchronized List<Conversation> conversations(UserId user) {
        Checks.notNull(user, "user");
        record Entry(long id, Stored stored) {
        }
        return byId.entrySet().stream()
                .filter(e -> e.getValue().owner.equals(user))
                .map(e -> new Entry(e.getKey(), e.getValue()))
                .sorted(Comparator.comparing((Entry e) -> e.stored().messages.isEmpty())
                        .thenComparingLong(e -> e.stored().lastMessageId)
                        .thenComparingLong(Entry::id).reversed())
                .map(e -> e.stored().view(e.id()))
                .toList();
    }

    @Override
    public synchronized Optional<List<StoredMessage>> messages(UserId user, long conversationId) {
        Stored stored = owned(user, conversationId);
        return stored == null ? Optional.empty() : Optional.of(List.copyOf(stored.messages));
    }

    @Override
    public synchronized long saveTurn(UserId user, OptionalLong conversationId, String message, Reply reply) {
        Checks.notNull(user, "user");
        Checks.notNull(message, "message");
        Checks.notNull(reply, "reply");
        Instant now = clock.instant();
        long id;
        Stored stored;
        if (conversationId.isPresent()) {
            id = conversationId.getAsLong();
            stored = owned(user, id);
            if (stored == null) {
                throw new ConversationNotFoundException(id);
            }
        } else {
            id = ++nextConversationId;
            stored = new Stored(user, Conversation.titleFor(message), now);
            byId.put(id, stored);
        }
        stored.messages.add(new StoredMessage(++nextMessageId, Role.USER, message, MessageStatus.COMPLETE, now));
        stored.messages.add(new StoredMessage(++nextMessageId, Role.ASSISTANT, reply.text(), reply.status(), now,
                reply.events()));
        stored.updatedAt = now;
        stored.lastMessageId = nextMessageId;
        return id;
    }

    @Override
    public synchronized long replaceTurns(UserId user, long conversationId, long fromMessageId, String message,
                                          Reply reply) {
        Stored stored = owned(user, conversationId);
        if (stored == null) {
            throw new ConversationNotFoundException(conversationId);
        }
        Checks.notNull(message, "message");
        Checks.notNull(reply, "reply");
        stored.messages.removeIf(m -> m.id() >= fromMessageId);
        return saveTurn(user, OptionalLong.of(conversationId), message, reply);
    }

    @Override
    public synchronized long startConversation(UserId user, String firstMessage) {
        Checks.notNull(user, "user");
        Checks.notNull(firstMessage, "firstMessage");
        long id = ++nextConversationId;
        byId.put(id, new Stored(user, Conversation.titleFor(firstMessage), clock.instant()));
        return id;
    }

    @Override
    public synchronized boolean delete(UserId user, long conversationId) {
        if (owned(user, conversationId) == null) {
            return false;
        }
        byId.remove(conversationId);
        return true;
    }

    @Override
    public synchronized boolean rename(UserId user, long conversationId, String title) {
        Checks.notNull(title, "title");
        Stored stored = owned(user, conversationId);
        if (stored == null) {
            return false;
        }
        stored.title = Conversation.titleFor(title);
        return true;
    }

    private Stored owned(UserId user, long conversationId) {
        Checks.notNull(user, "user");
        Stored stored = byId.get(conversationId);
        return stored != null && stored.owner.equals(user) ? stored : null;
    }
}
