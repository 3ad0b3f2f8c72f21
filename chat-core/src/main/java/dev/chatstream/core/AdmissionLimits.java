package dev.chatstream.core;

import java.time.Duration;
import java.util.Optional;

/**
 * The port to the limits a server applies before it takes on work: a token bucket per user and kind of request
 * ({@link #take}) and the caps on open streams, per user and in all ({@link #openStream}). One server keeps them in its
 * memory ({@link InMemoryAdmissionLimits}); several servers share them (the Redis adapter), so that two nodes never let
 * through twice the burst. Thread-safe; the contract is {@code AdmissionLimitsContract} in this module's test-jar.
 */
public interface AdmissionLimits {

    /**
     * A bucket: {@code burst} requests at once, refilled at {@code perMinute} a minute.
     *
     * @param name the kind of request it counts ({@code chat}, {@code writes}); each has its own buckets
     */
    record Rate(String name, int perMinute, int burst) {
        public Rate {
            Checks.notNull(name, "name");
            Checks.positive(perMinute, "perMinute");
            Checks.positive(burst, "burst");
        }
    }

    /** The caps on open streams: {@code perUser} for each user, {@code total} for the whole service. */
    record StreamCaps(int perUser, int total) {
        public StreamCaps {
            Checks.positive(perUser, "perUser");
            Checks.positive(total, "total");
        }
    }

    /** Which cap refused a stream. */
    enum Full {
        /** the user has {@link StreamCaps#perUser} streams open */
        USER,
        /** the service has {@link StreamCaps#total} streams open */
        SERVICE
    }

    /** A stream's slot, or the cap that refused it. {@link #close} gives a held slot back, once however often called. */
    interface Slot extends AutoCloseable {
        /** The cap that refused the slot; empty when it is held. */
        Optional<Full> refused();

        @Override
        void close();

        /** A slot that was not given, because of {@code full}: closing it does nothing. */
        static Slot refused(Full full) {
            Checks.notNull(full, "full");
            return new Slot() {
                @Override
                public Optional<Full> refused() {
                    return Optional.of(full);
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /** Takes one request from {@code user}'s bucket of {@code rate}: zero when allowed, else how long until one is free. */
    Duration take(UserId user, Rate rate);

    /** Takes a stream slot for {@code user}, or says which cap is full. */
    Slot openStream(UserId user, StreamCaps caps);

    /** The streams open through this server (not the whole service), for its metrics. */
    int openHere();

    /** Why the limits are not what they are configured to be now (shared ones fallen back to per node); empty when they are. */
    default Optional<String> degraded() {
        return Optional.empty();
    }
}
