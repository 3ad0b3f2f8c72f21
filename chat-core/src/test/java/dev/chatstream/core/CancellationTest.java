package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CancellationTest {

    @Test
    void shouldRunEachCallbackOnceAndKeepTheFirstReason() {
        Cancellation cancellation = new Cancellation();
        AtomicInteger runs = new AtomicInteger();
        cancellation.onCancel(runs::incrementAndGet);

        assertThat(cancellation.cancel("first")).isTrue();
        assertThat(cancellation.cancel("second")).isFalse();

        assertThat(runs).hasValue(1);
        assertThat(cancellation.reason()).isEqualTo("first");
        assertThatThrownBy(cancellation::throwIfCancelled).isInstanceOf(StreamCancelledException.class)
                .hasMessage("first");
    }

    @Test
    void shouldRunACallbackAtOnceWhenAlreadyCancelled() {
        Cancellation cancellation = new Cancellation();
        cancellation.cancel("done");
        AtomicInteger runs = new AtomicInteger();

        cancellation.onCancel(runs::incrementAndGet);

        assertThat(runs).hasValue(1);
    }

    @Test
    void shouldNotRunARemovedCallback() {
        Cancellation cancellation = new Cancellation();
        AtomicInteger runs = new AtomicInteger();
        cancellation.onCancel(runs::incrementAndGet).close();

        cancellation.cancel("x");

        assertThat(runs).hasValue(0);
    }

    @Test
    void shouldRunTheOtherCallbacksWhenOneThrows() {
        Cancellation cancellation = new Cancellation();
        AtomicInteger runs = new AtomicInteger();
        cancellation.onCancel(() -> {
            throw new IllegalStateException("callback failed");
        });
        cancellation.onCancel(runs::incrementAndGet);

        cancellation.cancel("x");

        assertThat(runs).hasValue(1);
    }
}
