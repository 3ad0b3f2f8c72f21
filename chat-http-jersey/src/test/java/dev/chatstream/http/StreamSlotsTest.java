package dev.chatstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.UserId;
import org.junit.jupiter.api.Test;

/** Stream caps per user and in all, and leases that give a slot back once. */
class StreamSlotsTest {
    private static final UserId ANA = UserId.of("ana");
    private static final UserId RUI = UserId.of("rui");
    private final StreamSlots slots = new StreamSlots(2, 3);

    @Test
    void shouldRefuseAUsersThirdStreamWith429AndSayWhatToDo() {
        slots.acquire(ANA);
        slots.acquire(ANA);

        assertThatThrownBy(() -> slots.acquire(ANA)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.code()).isEqualTo("too_many_streams");
            assertThat(e.getMessage()).isEqualTo("You already have 2 replies streaming; wait for one to finish or stop it");
            assertThat(e.headers()).containsEntry("Retry-After", "1");
        });
        assertThat(slots.open()).isEqualTo(2);
    }

    @Test
    void shouldRefuseWhenTheServerIsFullWith503AndChangeNothing() {
        slots.acquire(ANA);
        slots.acquire(ANA);
        slots.acquire(RUI);

        assertThatThrownBy(() -> slots.acquire(RUI)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.code()).isEqualTo("server_busy");
        });
        assertThat(slots.open()).isEqualTo(3);
    }

    @Test
    void shouldGiveASlotBackOnceHoweverOftenALeaseIsClosed() {
        StreamSlots.Lease first = slots.acquire(ANA);
        slots.acquire(ANA);

        first.close();
        first.close();

        assertThat(slots.open()).isEqualTo(1);
        slots.acquire(ANA); // the user's second slot is free again
        assertThatThrownBy(() -> slots.acquire(ANA)).isInstanceOf(ApiException.class);
    }
}
