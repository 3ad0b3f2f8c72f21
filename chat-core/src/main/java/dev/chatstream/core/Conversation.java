package dev.chatstream.core;

import java.time.Instant;

/**
 * One stored conversation, as a list of conversations shows it.
 *
 * @param id        its id, unique within its store
 * @param title     the start of its first message
 * @param createdAt when its first turn was stored
 * @param updatedAt when its latest turn was stored
 */
public record Conversation(long id, String title, Instant createdAt, Instant updatedAt) {
    /** The longest title, in characters; longer first messages are cut with an ellipsis. */
    public static final int MAX_TITLE_CHARS = 80;

    public Conversation {
        Checks.notNull(title, "title");
        Checks.notNull(createdAt, "createdAt");
        Checks.notNull(updatedAt, "updatedAt");
    }

    /** The title for a conversation that starts with {@code message}: whitespace collapsed, at most 80 characters. */
    public static String titleFor(String message) {
        String oneLine = message.strip().replaceAll("\\s+", " ");
        if (oneLine.length() <= MAX_TITLE_CHARS) {
            return oneLine;
        }
        int end = MAX_TITLE_CHARS - 1;
        if (Character.isHighSurrogate(oneLine.charAt(end - 1))) {
            end--;
        }
        return oneLine.substring(0, end) + "…";
    }
}
