package dev.chatstream.cache;

import java.time.Duration;

/**
 * How one cache keeps its entries.
 *
 * <p>An entry is fresh for {@code ttl}. Once it is older than {@code refreshAfter}, the next read starts a
 * reload in the background and still gets the current value, so callers do not wait for reloads of entries
 * they keep using. If reloads fail, the last good value is served for up to {@code grace} past the
 * {@code ttl}, never longer; after that the failure reaches the caller.
 *
 * @param ttl          how long a loaded value is served without question, positive
 * @param refreshAfter the age at which reads start a background reload, positive and at most {@code ttl}
 *                     (equal to {@code ttl}: no refresh ahead)
 * @param grace        how long past {@code ttl} the last good value may be served while reloads fail, zero
 *                     or more
 * @param maximumSize  the most entries kept, positive; the least useful are evicted beyond it
 */
public record CacheSpec(Duration ttl, Duration refreshAfter, Duration grace, long maximumSize) {
    public CacheSpec {
        requirePositive(ttl, "ttl");
        requirePositive(refreshAfter, "refreshAfter");
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("cache grace must be zero or more, got " + grace);
        }
        if (refreshAfter.compareTo(ttl) > 0) {
            throw new IllegalArgumentException(
                    "cache refreshAfter (" + refreshAfter + ") must not be longer than its ttl (" + ttl + ")");
        }
        if (maximumSize < 1) {
            throw new IllegalArgumentException("cache maximumSize must be at least 1, got " + maximumSize);
        }
    }

    /**
     * A spec that refreshes ahead at 80% of {@code ttl} and keeps the last good value for {@code grace}.
     */
    public static CacheSpec of(Duration ttl, Duration grace, long maximumSize) {
        requirePositive(ttl, "ttl");
        return new CacheSpec(ttl, ttl.multipliedBy(4).dividedBy(5), grace, maximumSize);
    }

    /** This spec with another ttl, refreshing ahead at 80% of it. */
    public CacheSpec withTtl(Duration newTtl) {
        return of(newTtl, grace, maximumSize);
    }

    /** This spec with another refresh age. */
    public CacheSpec withRefreshAfter(Duration newRefreshAfter) {
        return new CacheSpec(ttl, newRefreshAfter, grace, maximumSize);
    }

    /** This spec with another grace period. */
    public CacheSpec withGrace(Duration newGrace) {
        return new CacheSpec(ttl, refreshAfter, newGrace, maximumSize);
    }

    /** This spec with another maximum size. */
    public CacheSpec withMaximumSize(long newMaximumSize) {
        return new CacheSpec(ttl, refreshAfter, grace, newMaximumSize);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("cache " + name + " must be positive, got " + d);
        }
    }
}
