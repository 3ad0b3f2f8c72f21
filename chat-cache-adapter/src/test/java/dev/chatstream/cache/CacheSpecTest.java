package dev.chatstream.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.InMemoryMemoryStore;
import dev.chatstream.core.UserId;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CacheSpecTest {
    @Test
    void shouldDefaultToTheDocumentedFigures() {
        CacheSettings defaults = CacheSettings.defaults();

        assertThat(defaults.basePrompt()).isEqualTo(new CacheSpec(Duration.ofHours(1), Duration.ofMinutes(48),
                Duration.ofMinutes(15), 4));
        assertThat(defaults.homeContext()).isEqualTo(new CacheSpec(Duration.ofMinutes(10), Duration.ofMinutes(8),
                Duration.ofMinutes(5), 10_000));
        assertThat(defaults.memories()).isEqualTo(new CacheSpec(Duration.ofSeconds(60), Duration.ofSeconds(48),
                Duration.ofSeconds(60), 50_000));
    }

    @Test
    void shouldRefreshAheadAtEightyPercentOfANewTtl() {
        CacheSpec spec = CacheSettings.defaults().homeContext().withTtl(Duration.ofMinutes(5));

        assertThat(spec.refreshAfter()).isEqualTo(Duration.ofMinutes(4));
        assertThat(spec.grace()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void shouldNameTheBadValue() {
        assertThatThrownBy(() -> CacheSpec.of(Duration.ZERO, Duration.ZERO, 1))
                .hasMessage("cache ttl must be positive, got PT0S");
        assertThatThrownBy(() -> new CacheSpec(Duration.ofHours(1), Duration.ofHours(2), Duration.ZERO, 1))
                .hasMessage("cache refreshAfter (PT2H) must not be longer than its ttl (PT1H)");
        assertThatThrownBy(() -> CacheSpec.of(Duration.ofHours(1), Duration.ofSeconds(-1), 1))
                .hasMessage("cache grace must be zero or more, got PT-1S");
        assertThatThrownBy(() -> CacheSpec.of(Duration.ofHours(1), Duration.ZERO, 0))
                .hasMessage("cache maximumSize must be at least 1, got 0");
    }

    @Test
    void shouldAcceptTtlsTooLongForNanoseconds() {
        CacheSpec forever = CacheSpec.of(Duration.ofDays(365L * 1000), Duration.ofDays(365L * 1000), 1);
        CaffeineMemoryStore store = new CaffeineMemoryStore(new InMemoryMemoryStore(),
                forever, new FakeTicker(), Runnable::run);

        assertThat(store.relevant(UserId.of("ana"), "o meu gato", 1)).isEmpty();
    }
}
