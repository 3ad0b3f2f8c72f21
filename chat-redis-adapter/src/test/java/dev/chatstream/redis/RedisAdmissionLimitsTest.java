package dev.chatstream.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.core.AdmissionLimits;
import dev.chatstream.core.AdmissionLimitsContract;
import dev.chatstream.core.InMemoryAdmissionLimits;
import dev.chatstream.core.UserId;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The contract on a real redis-server, and what only shared limits do: two nodes, a dead node, an outage. */
class RedisAdmissionLimitsTest extends AdmissionLimitsContract {
    private static final RedisServer REDIS = RedisServer.start();
    private final String prefix = "test" + System.nanoTime();
    private final RedisAdmissionLimits a = node(RedisAdmissionLimits.LEASE);
    private final RedisAdmissionLimits b = node(RedisAdmissionLimits.LEASE);

    private RedisAdmissionLimits node(Duration lease) {
        return new RedisAdmissionLimits(RedisUrl.parse(REDIS.url()), prefix, new InMemoryAdmissionLimits(), lease);
    }

    @Override
    protected AdmissionLimits limits() {
        return a;
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    @AfterAll
    static void stopRedis() {
        REDIS.close();
    }

    @Test
    void shouldLetOneUsersBurstThroughOnceAcrossTwoNodes() {
        AdmissionLimits.Rate rate = new AdmissionLimits.Rate("chat", 10, 10);
        UserId ana = UserId.of("ana");
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            allowed += (i % 2 == 0 ? a : b).take(ana, rate).isZero() ? 1 : 0;
        }

        assertThat(allowed).as("10 in all, not 10 per node").isEqualTo(10);
        assertThat(b.take(ana, rate)).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void shouldHoldTheStreamCapsAcrossNodes() {
        AdmissionLimits.StreamCaps caps = new AdmissionLimits.StreamCaps(3, 100);
        UserId ana = UserId.of("ana");

        AdmissionLimits.Slot one = a.openStream(ana, caps);
        AdmissionLimits.Slot two = b.openStream(ana, caps);
        AdmissionLimits.Slot three = a.openStream(ana, caps);

        assertThat(b.openStream(ana, caps).refused()).hasValue(AdmissionLimits.Full.USER);
        assertThat(a.openHere()).isEqualTo(2);
        assertThat(b.openHere()).isEqualTo(1);
        two.close();
        assertThat(a.openStream(ana, caps).refused()).as("given back through the other node").isEmpty();
        one.close();
        three.close();
    }

    @Test
    void shouldGiveBackTheSlotsOfANodeThatDiedWithinTheLease() throws InterruptedException {
        AdmissionLimits.StreamCaps caps = new AdmissionLimits.StreamCaps(1, 100);
        UserId ana = UserId.of("ana");
        RedisAdmissionLimits dying = node(Duration.ofMillis(900));
        RedisAdmissionLimits living = node(Duration.ofMillis(900));
        try {
            assertThat(dying.openStream(ana, caps).refused()).isEmpty();
            AdmissionLimits.Slot kept = living.openStream(UserId.of("rui"), caps);
            Thread.sleep(1_500); // longer than a lease: the living node renews its slot, the refusal below holds
            assertThat(living.openStream(UserId.of("rui"), caps).refused()).as("a renewed lease holds")
                    .hasValue(AdmissionLimits.Full.USER);
            dying.close(); // dies: no renewals, no release

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            boolean free = false;
            while (!free && System.nanoTime() < deadline) {
                AdmissionLimits.Slot s = living.openStream(ana, caps);
                free = s.refused().isEmpty();
                s.close();
                Thread.sleep(100);
            }
            assertThat(free).as("the dead node's slot expired").isTrue();
            kept.close();
        } finally {
            dying.close();
            living.close();
        }
    }

    @Test
    void shouldFallBackToThisNodesLimitsWhileRedisIsDownAndShareThemAgainAfter() throws InterruptedException {
        AdmissionLimits.Rate rate = new AdmissionLimits.Rate("chat", 60, 2);
        UserId ana = UserId.of("ana");
        assertThat(a.degraded()).isEmpty();
        assertThat(a.check().ok()).isTrue();

        REDIS.stop();
        try {
            long started = System.nanoTime();
            assertThat(a.take(ana, rate)).as("this node's own bucket").isZero();
            assertThat(a.take(ana, rate)).isZero();
            assertThat(a.take(ana, rate)).isPositive();
            AdmissionLimits.Slot slot = a.openStream(ana, new AdmissionLimits.StreamCaps(5, 10));
            assertThat(slot.refused()).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no request waits for a dead Redis")
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(a.degraded()).hasValueSatisfying(why -> assertThat(why).contains("Redis at redis://127.0.0.1:"
                    + REDIS.port() + "/0 cannot be reached", "this node's own"));
            assertThat(a.check().ok()).isFalse();
            slot.close();
            assertThat(a.openHere()).isZero();
        } finally {
            REDIS.startAgain();
        }
        Thread.sleep(RedisAdmissionLimits.RETRY.toMillis() + 100);
        assertThat(a.take(ana, rate)).as("a fresh shared bucket").isZero();
        assertThat(a.degraded()).isEmpty();
        assertThat(a.check().ok()).isTrue();
    }

    @Test
    void shouldNeverShowThePassword() {
        RedisUrl url = RedisUrl.parse("redis://chat:s3cr3t@redis.lan:6380/2");

        assertThat(url.toString()).isEqualTo("redis://chat@redis.lan:6380/2").doesNotContain("s3cr3t");
        assertThat(url.password()).hasValue("s3cr3t");
        assertThat(RedisUrl.parse("rediss://:pw@h").toString()).isEqualTo("rediss://h:6379/0");
        assertThat(RedisUrl.parse("redis://pw@h:1").password()).hasValue("pw");
        for (String bad : new String[] {"http://h", "redis://", "redis://h/x", "redis://sec ret@h"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> RedisUrl.parse(bad))
                    .isInstanceOf(dev.chatstream.core.ConfigException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sec ret").startsWith("redis.url"));
        }
    }
}
