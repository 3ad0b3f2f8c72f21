package dev.chatstream.core;

/**
 * One message of a conversation or of an assembled prompt.
 *
 * @param role    who wrote it
 * @param content its text, possibly empty
 */
public record ChatMessage(Role role, String content) {
    public ChatMessage {
        Checks.notNull(role, "role");
        Checks.notNull(content, "content");
    }

    /** A message from the user. */
    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    /** A message from the assistant. */
    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }

    /** A system message. */
    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }
}
