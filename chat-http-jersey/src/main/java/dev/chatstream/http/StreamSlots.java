package dev.chatstream.http;

import dev.chatstream.core.AdmissionLimits;
import dev.chatstream.core.InMemoryAdmissionLimits;
import dev.chatstream.core.UserId;
import java.util.Map;

/**
 * Open streams, per user and in all, against their caps, as the {@link AdmissionLimits} the server was given keeps them
 * (its memory, or shared by several nodes); a refusal is the API's 429 or 503. Thread-safe.
 */
final class StreamSlots {
    private final AdmissionLimits limits;
    private final AdmissionLimits.StreamCaps caps;

    StreamSlots(AdmissionLimits limits, AdmissionLimits.StreamCaps caps) {
        this.limits = limits;
        this.caps = caps;
    }

    /** Caps of their own in memory. */
    StreamSlots(int perUser, int total) {
        this(new InMemoryAdmissionLimits(), new AdmissionLimits.StreamCaps(perUser, total));
    }

    /** A slot held for one stream; {@link #close} gives it back, once however often it is called. */
    static final class Lease implements AutoCloseable {
        private final AdmissionLimits.Slot slot;

        private Lease(AdmissionLimits.Slot slot) {
            this.slot = slot;
        }

        @Override
        public void close() {
            slot.close();
        }
    }

    /**
     * Takes a slot for {@code user}.
     *
     * @throws ApiException 429 when the user has too many open streams, 503 when the server is full
     */
    Lease acquire(UserId user) {
        AdmissionLimits.Slot slot = limits.openStream(user, caps);
        if (slot.refused().isEmpty()) {
            return new Lease(slot);
        }
        throw switch (slot.refused().get()) {
            case USER -> new ApiException(429, "too_many_streams", "You already have " + caps.perUser()
                    + " replies streaming; wait for one to finish or stop it", Map.of("Retry-After", "1"));
            case SERVICE -> new ApiException(503, "server_busy", "The server is streaming as many replies as it can; "
                    + "try again in a few seconds", Map.of("Retry-After", "5"));
        };
    }

    /** The streams open through this server. */
    int open() {
        return limits.openHere();
    }
}
