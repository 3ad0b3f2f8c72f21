package dev.chatstream.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.core.Invalidations;
import dev.chatstream.core.UserId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Two nodes' invalidations over a real redis-server: each hears the other's changes, once, and its own at once. */
class RedisInvalidationsTest {
    private static final RedisServer REDIS = RedisServer.start();

    @AfterAll
    static void stopRedis() {
        REDIS.close();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " within 10 s");
            }
            Thread.sleep(10);
        }
    }

    @Test
    void shouldTellEveryNodeOfAChangeAndThisOneAtOnce() throws InterruptedException {
        String prefix = "inv" + System.nanoTime();
        try (Redis ra = Redis.at(RedisUrl.parse(REDIS.url())); Redis rb = Redis.at(RedisUrl.parse(REDIS.url()));
             RedisInvalidations a = new RedisInvalidations(ra, prefix);
             RedisInvalidations b = new RedisInvalidations(rb, prefix)) {
            List<String> heardA = new CopyOnWriteArrayList<>();
            List<String> heardB = new CopyOnWriteArrayList<>();
            a.listen((user, kind) -> heardA.add(kind + " " + user.value()));
            b.listen((user, kind) -> heardB.add(kind + " " + user.value()));
            await(() -> a.subscribed() && b.subscribed(), "both subscribed");

            a.changed(UserId.of("ana"), Invalidations.Kind.HOME);

            assertThat(heardA).as("its own node, at once").containsExactly("HOME ana");
            await(() -> heardB.size() == 1, "the other node heard it");
            assertThat(heardB).containsExactly("HOME ana");
            b.changed(UserId.of("rui"), Invalidations.Kind.MEMORIES);
            await(() -> heardA.size() == 2, "node A heard B's change");
            Thread.sleep(200);
            assertThat(heardA).as("once each").containsExactly("HOME ana", "MEMORIES rui");
            assertThat(heardB).containsExactly("HOME ana", "MEMORIES rui");
        }
    }

    @Test
    void shouldKeepItsConnectionThroughAQuietSpellAndHearWhatComesAfter() throws InterruptedException {
        String prefix = "quiet" + System.nanoTime();
        try (Redis ra = Redis.at(RedisUrl.parse(REDIS.url())); Redis rb = Redis.at(RedisUrl.parse(REDIS.url()));
             RedisInvalidations a = new RedisInvalidations(ra, prefix);
             RedisInvalidations b = new RedisInvalidations(rb, prefix)) {
            List<String> heardB = new CopyOnWriteArrayList<>();
            b.listen((user, kind) -> heardB.add(kind + " " + user.value()));
            await(() -> a.subscribed() && b.subscribed(), "both subscribed");

            // nobody publishes for longer than a command's read timeout (1 s): a subscribed connection must not
            // time out (Jedis waits without a timeout while subscribed), or what comes during its reconnect is lost
            Thread.sleep(3_500);

            assertThat(b.subscriptions()).as("the first connection still holds: nothing published is missed")
                    .isEqualTo(1);
            a.changed(UserId.of("ana"), Invalidations.Kind.HOME);
            await(() -> heardB.size() == 1, "the other node heard it");
        }
    }

    @Test
    void shouldHearChangesAgainOnceRedisIsBack() throws InterruptedException {
        String prefix = "inv" + System.nanoTime();
        try (Redis ra = Redis.at(RedisUrl.parse(REDIS.url())); Redis rb = Redis.at(RedisUrl.parse(REDIS.url()));
             RedisInvalidations a = new RedisInvalidations(ra, prefix);
             RedisInvalidations b = new RedisInvalidations(rb, prefix)) {
            List<String> heardB = new CopyOnWriteArrayList<>();
            b.listen((user, kind) -> heardB.add(user.value()));
            await(() -> a.subscribed() && b.subscribed(), "both subscribed");

            REDIS.stop();
            try {
                await(() -> !b.subscribed(), "node B to notice the outage");
                a.changed(UserId.of("lost"), Invalidations.Kind.HOME); // never throws; the message is lost
            } finally {
                REDIS.startAgain();
            }
            await(b::subscribed, "node B subscribed again");
            a.changed(UserId.of("ana"), Invalidations.Kind.HOME);

            await(() -> heardB.contains("ana"), "the change after the outage");
            assertThat(heardB).doesNotContain("lost");
        }
    }
}
