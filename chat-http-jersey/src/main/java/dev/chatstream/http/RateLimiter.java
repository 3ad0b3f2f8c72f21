package dev.chatstream.http;

import dev.chatstream.core.UserId;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per user: {@code burst} requests at once, refilled at {@code perMinute} a minute. One
 * user's burst never touches another's bucket. Thread-safe.
 */
final class RateLimiter {
    private final double capacity;
    private final double perNano;
    private final LongSupplier nanoClock;
    private final Map<UserId, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }

    RateLimiter(int perMinute, int burst, LongSupplier nanoClock) {
        this.capacity = burst;
        this.perNano = perMinute / 60e9;
        this.nanoClock = nanoClock;
    }

    /** Takes one token; returns zero when allowed, else how long until a token is free. */
    Duration acquire(UserId user) {
        long now = nanoClock.getAsLong();
        Bucket b = buckets.computeIfAbsent(user, u -> new Bucket(capacity, now));
        synchronized (b) {
            b.tokens = Math.min(capacity, b.tokens + (now - b.updated) * perNano);
            b.updated = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return Duration.ZERO;
            }
            return Duration.ofNanos((long) Math.ceil((1 - b.tokens) / perNano));
        }
    }
}
