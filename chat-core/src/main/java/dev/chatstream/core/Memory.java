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
    public Memory {
        Checks.notNull(text, "text");
        Checks.notNull(createdAt, "createdAt");
        if (text.isBlank()) {
            throw new IllegalArgumentException("memory text must not be blank");
        }
    }
}
