package dev.chatstream.core;

/**
 * The assistant's side of a turn, as it is stored.
 *
 * @param text   the visible reply (without ACTION lines); for an unfinished reply, what the user saw
 * @param status how the reply ended
 */
public record Reply(String text, MessageStatus status) {
    public Reply {
        Checks.notNull(text, "text");
        Checks.notNull(status, "status");
    }
}
