package dev.chatstream.core;

import java.time.Instant;

/**
 * Something chatstream remembers about a user.
 *
 * @param id        its id, unique within its store
 * @param text      what is remembered, non-blank
 * @param createdAt when it was stored
 */
public record Memory(long id, String text, Instant createdAt) {
    /** The longest memory a store accepts, in characters. */
    public static final int MAX_CHARS = 2000;

    public Memory {
        Checks.notNull(text, "text");
        Checks.notNull(createdAt, "createdAt");
        if (text.isBlank()) {
            throw new IllegalArgumentException("memory text must not be blank");
        }
    }

    /**
     * The text a store keeps for a new memory: {@code text} without surrounding whitespace.
     *
     * @throws InvalidRequestException when it is blank or longer than {@link #MAX_CHARS}
     */
    public static String checkedText(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidRequestException("text", "memory text must not be blank");
        }
        String stripped = text.strip();
        if (stripped.length() > MAX_CHARS) {
            throw new InvalidRequestException("text", "memory text is too long: " + stripped.length()
                    + " characters, the limit is " + MAX_CHARS);
        }
        return stripped;
    }
}
