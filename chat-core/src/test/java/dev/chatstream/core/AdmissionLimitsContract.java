package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AdmissionLimits} must do, run against each implementation (in memory, Redis). Each test uses its
 * own users and bucket names, so a shared store needs no cleaning between tests.
 */
public abstract class AdmissionLimitsContract {
    /** The implementation under test. */
    protected abstract AdmissionLimits limits();

    private static int run;
    private final String tag = "t" + (++run) + "_" + System.nanoTime();
    private final UserId ana = UserId.of("ana_" + tag);
    private final UserId rui = UserId.of("rui_" + tag);

    private AdmissionLimits.Rate rate(int perMinute, int burst) {
        return new AdmissionLimits.Rate("chat_" + tag, perMinute, burst);
    }

    @Test
    void shouldLetABurstThroughThenSayHowLongToWait() {
        AdmissionLimits limits = limits();
        AdmissionLimits.Rate rate = rate(6, 3); // a token every 10 s

        for (int i = 0; i < 3; i++) {
            assertThat(limits.take(ana, rate)).as("request %d", i + 1).isZero();
        }
        Duration wait = limits.take(ana, rate);

        assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(limits.take(rui, rate)).as("another user's bucket").isZero();
        assertThat(limits.take(ana, new AdmissionLimits.Rate("writes_" + tag, 6, 3))).as("another kind's bucket")
                .isZero();
    }

    @Test
    void shouldCapAUsersStreamsAndTheServicesAndGiveASlotBackOnce() {
        AdmissionLimits limits = limits();
        AdmissionLimits.StreamCaps caps = new AdmissionLimits.StreamCaps(2, 3);
        int before = limits.openHere();

        AdmissionLimits.Slot first = limits.openStream(ana, caps);
        AdmissionLimits.Slot second = limits.openStream(ana, caps);
        AdmissionLimits.Slot third = limits.openStream(ana, caps);

        assertThat(first.refused()).isEmpty();
        assertThat(second.refused()).isEmpty();
        assertThat(third.refused()).hasValue(AdmissionLimits.Full.USER);
        assertThat(limits.openHere()).isEqualTo(before + 2);
        first.close();
        first.close();
        third.close();
        assertThat(limits.openHere()).as("given back once; a refused slot gives nothing").isEqualTo(before + 1);
        assertThat(limits.openStream(ana, caps).refused()).isEmpty();
        assertThat(limits.openStream(ana, caps).refused()).hasValue(AdmissionLimits.Full.USER);
    }

    @Test
    void shouldRefuseTheServicesStreamOverItsTotal() {
        AdmissionLimits limits = limits();
        List<AdmissionLimits.Slot> held = new ArrayList<>();
        // a total of its own: only this test's users count against it in a shared store
        AdmissionLimits.StreamCaps caps = new AdmissionLimits.StreamCaps(5, limits.openHere() + 3);
        for (int i = 0; i < 3; i++) {
            AdmissionLimits.Slot slot = limits.openStream(UserId.of("u" + i + "_" + tag), caps);
            assertThat(slot.refused()).isEmpty();
            held.add(slot);
        }

        Optional<AdmissionLimits.Full> refused = limits.openStream(rui, caps).refused();

        assertThat(refused).hasValue(AdmissionLimits.Full.SERVICE);
        held.forEach(AdmissionLimits.Slot::close);
        assertThat(limits.openStream(rui, caps).refused()).isEmpty();
    }
}
