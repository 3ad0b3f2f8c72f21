package dev.chatstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.core.UserId;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The token bucket per user, on a clock the test moves. */
class RateLimiterTest {
    private long now = 1_000_000_000L;
    private final RateLimiter limiter = new RateLimiter(30, 3, () -> now); // a token every 2 s, 3 at once
    private static final UserId ANA = UserId.of("ana");
    private static final UserId RUI = UserId.of("rui");

    @Test
    void shouldLetABurstThroughThenSayHowLongToWait() {
        assertThat(limiter.acquire(ANA)).isZero();
        assertThat(limiter.acquire(ANA)).isZero();
        assertThat(limiter.acquire(ANA)).isZero();

        assertThat(limiter.acquire(ANA)).isEqualTo(Duration.ofSeconds(2));
        now += Duration.ofMillis(500).toNanos();
        assertThat(limiter.acquire(ANA)).isEqualTo(Duration.ofMillis(1_500));
    }

    @Test
    void shouldRefillAtTheRateUpToTheBurst() {
        for (int i = 0; i < 3; i++) {
            limiter.acquire(ANA);
        }

        now += Duration.ofSeconds(2).toNanos();
        assertThat(limiter.acquire(ANA)).isZero();
        assertThat(limiter.acquire(ANA)).isPositive();

        now += Duration.ofHours(1).toNanos();
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire(ANA)).as("a long pause refills only the burst").isZero();
        }
        assertThat(limiter.acquire(ANA)).isPositive();
    }

    @Test
    void shouldKeepEachUsersBucketApart() {
        for (int i = 0; i < 3; i++) {
            limiter.acquire(ANA);
        }

        assertThat(limiter.acquire(ANA)).isPositive();
        assertThat(limiter.acquire(RUI)).isZero();
    }
}
