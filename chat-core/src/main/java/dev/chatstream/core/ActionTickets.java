package dev.chatstream.core;

import java.time.Instant;
import java.util.Optional;

/**
 * The port to where actions wait for their user's confirmation ({@link ActionDispatcher}): in this process's memory on
 * one node ({@link InMemoryActionTickets}), or shared (the Redis adapter) so that an action held by node A can be
 * confirmed or cancelled through node B, still once: of two takers at the same moment, on any nodes, one gets the
 * action. Times come from the dispatcher's clock. Thread-safe; the contract is {@code ActionTicketsContract} in this
 * module's test-jar.
 */
public interface ActionTickets {

    /** Which cap kept an action from waiting. */
    enum Full {
        /** {@code maxTotal} actions wait already */
        SERVICE,
        /** {@code maxPerUser} of this user's actions wait already */
        USER
    }

    /** What taking a ticket found. */
    sealed interface Taken {
        /** This taker has it: run or cancel it now; nobody else will. */
        record Got(Action action, Instant confirmBy) implements Taken {
        }

        /** No such ticket for this user (unknown, another user's, or forgotten). */
        record Missing() implements Taken {
        }

        /** Its time ran out; {@code first}: this taker is the first to find out (it audits the expiry). */
        record Expired(Action action, Instant confirmBy, boolean first) implements Taken {
        }

        /** Someone took it already. */
        record Decided() implements Taken {
        }
    }

    /**
     * Keeps {@code action} waiting under {@code id} until {@code confirmBy} (and remembers it, to say why a late
     * taker cannot have it, until {@code keepUntil}), unless a cap is full.
     *
     * @return the full cap, or empty when it waits now
     * @throws ChatException {@link ErrorCode#SHARED_STATE_UNAVAILABLE} when a shared store cannot be reached
     */
    Optional<Full> hold(String id, UserId user, Action action, Instant confirmBy, Instant keepUntil, Instant now,
                        int maxTotal, int maxPerUser);

    /**
     * Takes {@code user}'s ticket {@code id}, once.
     *
     * @throws ChatException {@link ErrorCode#SHARED_STATE_UNAVAILABLE} when a shared store cannot be reached
     */
    Taken take(UserId user, String id, Instant now);

    /** How many actions wait now (not expired, not taken). */
    int waiting(Instant now);
}
