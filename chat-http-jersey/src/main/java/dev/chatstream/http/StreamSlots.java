package dev.chatstream.http;

import dev.chatstream.core.UserId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts open streams, per user and in all, against their caps. Thread-safe. */
final class StreamSlots {
    private final int perUser;
    private final int total;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<UserId, Integer> byUser = new ConcurrentHashMap<>();

    StreamSlots(int perUser, int total) {
        this.perUser = perUser;
        this.total = total;
    }

    /** A slot held for one stream; {@link #close} gives it back, once however often it is called. */
    final class Lease implements AutoCloseable {
        private final UserId user;
        private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

        private Lease(UserId user) {
            this.user = user;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                release(user);
            }
        }
    }

    /**
     * Takes a slot for {@code user}.
     *
     * @throws ApiException 429 when the user has too many open streams, 503 when the server is full
     */
    Lease acquire(UserId user) {
        byUser.compute(user, (u, n) -> {
            int mine = n == null ? 0 : n;
            if (mine >= perUser) {
                throw new ApiException(429, "too_many_streams", "You already have " + perUser
                        + " replies streaming; wait for one to finish or stop it", Map.of("Retry-After", "1"));
            }
            return mine + 1;
        });
        if (open.incrementAndGet() > total) {
            open.decrementAndGet();
            releaseUser(user);
            throw new ApiException(503, "server_busy", "The server is streaming as many replies as it can; "
                    + "try again in a few seconds", Map.of("Retry-After", "5"));
        }
        return new Lease(user);
    }

    private void release(UserId user) {
        open.decrementAndGet();
        releaseUser(user);
    }

    int open() {
        return open.get();
    }

    private void releaseUser(UserId user) {
        byUser.computeIfPresent(user, (u, n) -> n == 1 ? null : n - 1);
    }
}
