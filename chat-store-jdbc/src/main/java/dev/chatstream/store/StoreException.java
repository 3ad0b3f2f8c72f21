package dev.chatstream.store;

/**
 * The store could not be opened: the database is unreachable, unreadable, or its schema cannot be
 * migrated. The message says what to check. Failures of single operations later are reported as
 * {@code store_unavailable} {@link dev.chatstream.core.ChatException}s instead.
 */
public final class StoreException extends RuntimeException {
    StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
