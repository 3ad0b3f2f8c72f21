package dev.chatstream.core;

import java.util.List;

/**
 * The port to what chatstream remembers about each user. Every method is scoped to one user: no call can
 * read, change or delete another user's memories. Thread-safe.
 *
 * <p>The contract, checked by {@code MemoryStoreContract} in this module's test-jar, holds for stores and for
 * the caching decorators alike.
 */
public interface MemoryStore {
    /**
     * The user's memories relevant to a message, most relevant first.
     *
     * @param limit the most to return, positive
     */
    List<Memory> relevant(UserId user, String message, int limit);

    /** Stores a new memory for the user and returns it with its id. */
    Memory add(UserId user, String text);

    /** All of the user's memories, oldest first. */
    List<Memory> list(UserId user);

    /**
     * Deletes one of the user's memories.
     *
     * @return whether it existed and belonged to the user
     */
    boolean delete(UserId user, long memoryId);
}
