package dev.chatstream.core;

import java.time.Instant;

/**
 * One message of a stored conversation.
 *
 * @param id        its id, increasing in the order messages were stored
 * @param role      {@link Role#USER} or {@link Role#ASSISTANT}
 * @param content   its text; for a reply that did not finish, the part the user saw
 * @param status    whether a reply finished; user messages are always {@link MessageStatus#COMPLETE}
 * @param createdAt when it was stored
 * @param events    a reply's actions, their results and its error, as {@link Reply#events()}; none for a user's
 */
public record StoredMessage(long id, Role role, String content, MessageStatus status, Instant createdAt,
                            java.util.List<ChatEvent> events) {
    public StoredMessage {
        Checks.notNull(role, "role");
        Checks.notNull(content, "content");
        Checks.notNull(status, "status");
        Checks.notNull(createdAt, "createdAt");
        events = java.util.List.copyOf(Checks.notNull(events, "events"));
    }

    /** A message with nothing but its text. */
    public StoredMessage(long id, Role role, String content, MessageStatus status, Instant createdAt) {
        this(id, role, content, status, createdAt, java.util.List.of());
    }

    /** This message as prompt history. */
    public ChatMessage toChatMessage() {
        return new ChatMessage(role, content);
    }
}
