package dev.chatstream.core;

import java.util.Optional;

/** Where turn logs live: created when a turn starts, found by its id, removed when it is no longer kept. */
public interface TurnLogs {
    /**
     * A new, empty log for {@code turnId}.
     *
     * @throws IllegalStateException when that turn already has one
     */
    TurnLog create(String turnId);

    /** The log of {@code turnId}, if it is still kept. */
    Optional<TurnLog> find(String turnId);

    /** Forgets the log of {@code turnId}; nothing when there is none. */
    void remove(String turnId);
}
