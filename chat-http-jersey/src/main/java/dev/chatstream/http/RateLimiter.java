package dev.chatstream.http;

import dev.chatstream.core.AdmissionLimits;
import dev.chatstream.core.InMemoryAdmissionLimits;
import dev.chatstream.core.UserId;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket per user for one kind of request ({@code chat}, {@code writes}): {@code burst} requests at once,
 * refilled at {@code perMinute} a minute, kept by the {@link AdmissionLimits} the server was given (its memory, or
 * shared by several nodes). Thread-safe.
 */
final class RateLimiter {
    private final AdmissionLimits limits;
    private final AdmissionLimits.Rate rate;

    RateLimiter(AdmissionLimits limits, AdmissionLimits.Rate rate) {
        this.limits = limits;
        this.rate = rate;
    }

    /** A limiter of its own in memory, on {@code nanoClock}. */
    RateLimiter(int perMinute, int burst, LongSupplier nanoClock) {
        this(new InMemoryAdmissionLimits(nanoClock), new AdmissionLimits.Rate("chat", perMinute, burst));
    }

    /** Takes one token; returns zero when allowed, else how long until a token is free. */
    Duration acquire(UserId user) {
        return limits.take(user, rate);
    }
}
