package dev.chatstream.core;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * {@link AdmissionLimits} in this process's memory: right for one server, and what shared limits fall back to while
 * the store they share is unreachable. One user's burst never touches another's bucket. Thread-safe.
 */
public final class InMemoryAdmissionLimits implements AdmissionLimits {
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final Map<UserId, Integer> byUser = new ConcurrentHashMap<>();

    /** Limits on the system's monotonic clock. */
    public InMemoryAdmissionLimits() {
        this(System::nanoTime);
    }

    /** @param nanoClock a monotonic clock in nanoseconds (tests move their own) */
    public InMemoryAdmissionLimits(LongSupplier nanoClock) {
        this.nanoClock = Checks.notNull(nanoClock, "nanoClock");
    }

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }

    @Override
    public Duration take(UserId user, Rate rate) {
        Checks.notNull(user, "user");
        long now = nanoClock.getAsLong();
        double perNano = rate.perMinute() / 60e9;
        Bucket b = buckets.computeIfAbsent(rate.name() + '\u0000' + user.value(), k -> new Bucket(rate.burst(), now));
        synchronized (b) {
            b.tokens = Math.min(rate.burst(), b.tokens + (now - b.updated) * perNano);
            b.updated = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return Duration.ZERO;
            }
            return Duration.ofNanos((long) Math.ceil((1 - b.tokens) / perNano));
        }
    }

    @Override
    public Slot openStream(UserId user, StreamCaps caps) {
        Checks.notNull(user, "user");
        boolean[] userFull = {false};
        byUser.compute(user, (u, n) -> {
            int mine = n == null ? 0 : n;
            if (mine >= caps.perUser()) {
                userFull[0] = true;
                return n;
            }
            return mine + 1;
        });
        if (userFull[0]) {
            return Slot.refused(Full.USER);
        }
        if (open.incrementAndGet() > caps.total()) {
            open.decrementAndGet();
            releaseUser(user);
            return Slot.refused(Full.SERVICE);
        }
        AtomicBoolean released = new AtomicBoolean();
        return new Slot() {
            @Override
            public Optional<Full> refused() {
                return Optional.empty();
            }

            @Override
            public void close() {
                if (released.compareAndSet(false, true)) {
                    open.decrementAndGet();
                    releaseUser(user);
                }
            }
        };
    }

    @Override
    public int openHere() {
        return open.get();
    }

    private void releaseUser(UserId user) {
        byUser.computeIfPresent(user, (u, n) -> n == 1 ? null : n - 1);
    }
}
