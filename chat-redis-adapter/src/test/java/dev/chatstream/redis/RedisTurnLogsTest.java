package dev.chatstream.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.TurnDirectory;
import dev.chatstream.core.TurnLog;
import dev.chatstream.core.Usage;
import dev.chatstream.core.UserId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: a turn's log copied to a real redis-server by its node and read by another, from every point, each event
 * once; a node that dies mid-turn: its turn ends with node_lost, once, for every reader, and whatever the "dead" node
 * still writes is fenced off.
 */
class RedisTurnLogsTest {
    private static final RedisServer REDIS = RedisServer.start();
    private static final UserId ANA = UserId.of("ana");
    private static final Duration HOUR = Duration.ofHours(1);

    @AfterAll
    static void stopRedis() {
        REDIS.close();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " within 20 s");
            }
            Thread.sleep(10);
        }
    }

    private static TurnDirectory.Running running(String id) {
        return new TurnDirectory.Running(id, ANA, OptionalLong.of(7), "Conta uma história", OptionalLong.empty(),
                true, true, Instant.parse("2026-12-02T10:00:00Z"));
    }

    private static List<TurnLog.Entry> readAll(TurnLog log, long after) throws InterruptedException {
        List<TurnLog.Entry> out = new ArrayList<>();
        long seq = after;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            TurnLog.Batch batch = log.read(seq, Duration.ofMillis(200));
            out.addAll(batch.entries());
            if (!batch.entries().isEmpty()) {
                seq = batch.entries().getLast().seq();
            }
            if (batch.ended() && seq >= log.last()) {
                return out;
            }
        }
        throw new AssertionError("the log did not end: " + out);
    }

    @Test
    void shouldLetAnotherNodeReadATurnFromEveryPointWithEachEventOnce() throws Exception {
        String prefix = "logs" + System.nanoTime();
        try (Redis ra = Redis.at(RedisUrl.parse(REDIS.url())); Redis rb = Redis.at(RedisUrl.parse(REDIS.url()));
             RedisTurnDirectory a = new RedisTurnDirectory(ra, prefix, HOUR, Duration.ofMinutes(2));
             RedisTurnDirectory b = new RedisTurnDirectory(rb, prefix, HOUR, Duration.ofMinutes(2));
             RedisTurnLogs logs = new RedisTurnLogs(ra, prefix, HOUR, Duration.ofMinutes(2))) {
            TurnLog log = logs.create("t1"); // as Turns does: the log first, then the directory's note
            log.append(new ChatEvent.Chunk("Era "));
            a.running(running("t1"));
            List<ChatEvent> events = List.of(new ChatEvent.Chunk("Era "), new ChatEvent.Chunk("uma "),
                    new ChatEvent.Speech("Era uma vez.", 0), new ChatEvent.Chunk("vez."),
                    new ChatEvent.FinalText("Era uma vez."), new ChatEvent.Done(Usage.unknown(), OptionalLong.of(7)));

            TurnDirectory.Followed live = b.follow(ANA, "t1").orElseThrow();
            assertThat(live.turn()).isEqualTo(running("t1"));
            for (ChatEvent e : events.subList(1, events.size())) {
                log.append(e);
            }
            List<TurnLog.Entry> whole = readAll(live.log(), 0);
            assertThat(whole).extracting(TurnLog.Entry::event).isEqualTo(events);
            assertThat(whole).extracting(TurnLog.Entry::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);

            for (int cursor = 0; cursor <= events.size(); cursor++) {
                TurnLog again = b.follow(ANA, "t1").orElseThrow().log();
                assertThat(again.ended()).isTrue();
                assertThat(again.last()).isEqualTo(6);
                assertThat(readAll(again, cursor)).as("after %d", cursor).isEqualTo(whole.subList(cursor, 6));
            }
            assertThat(b.follow(UserId.of("rui"), "t1")).as("another user's turn is not found").isEmpty();
            assertThat(b.follow(ANA, "nosuchturn")).isEmpty();
            assertThat(a.readElsewhere("t1")).as("B's reader noted it").isTrue();
            assertThat(a.readElsewhere("t2")).isFalse();
        }
    }

    @Test
    void shouldEndADeadNodesTurnWithNodeLostOnceForEveryReaderAndFenceOffWhatItStillWrites() throws Exception {
        String prefix = "lost" + System.nanoTime();
        Duration lease = Duration.ofMillis(1_000);
        try (Redis ra = Redis.at(RedisUrl.parse(REDIS.url())); Redis rb = Redis.at(RedisUrl.parse(REDIS.url()));
             Redis rc = Redis.at(RedisUrl.parse(REDIS.url()));
             RedisTurnLogs logs = new RedisTurnLogs(ra, prefix, HOUR, Duration.ofMinutes(2))) {
            RedisTurnDirectory a = new RedisTurnDirectory(ra, prefix, HOUR, Duration.ofMinutes(2), lease,
                    Duration.ofMillis(200));
            List<String> lost = new CopyOnWriteArrayList<>();
            try (RedisTurnDirectory b = new RedisTurnDirectory(rb, prefix, HOUR, Duration.ofMinutes(2), lease,
                    Duration.ofMillis(200));
                 RedisTurnDirectory c = new RedisTurnDirectory(rc, prefix, HOUR, Duration.ofMinutes(2), lease,
                         Duration.ofMillis(200))) {
                b.onLost((turn, events) -> lost.add("b " + turn.turnId() + " " + events));
                c.onLost((turn, events) -> lost.add("c " + turn.turnId() + " " + events));
                TurnLog log = logs.create("t1");
                a.running(running("t1"));
                log.append(new ChatEvent.Chunk("Era "));
                log.append(new ChatEvent.Chunk("uma "));
                await(() -> logs.copied("t1"), "the chunks copied");
                TurnLog reader = b.follow(ANA, "t1").orElseThrow().log();

                a.close(); // the node stops renewing its lease: as if it died

                await(() -> !lost.isEmpty(), "a node noticed the lapsed lease");
                List<TurnLog.Entry> read = readAll(reader, 0);
                assertThat(read).extracting(TurnLog.Entry::event).containsExactly(new ChatEvent.Chunk("Era "),
                        new ChatEvent.Chunk("uma "), new ChatEvent.Failed(ErrorCode.NODE_LOST,
                                RedisTurnDirectory.LOST_MESSAGE));
                Thread.sleep(600); // three more rounds of both survivors
                assertThat(lost).as("one node of the two learns of it, once").hasSize(1);
                assertThat(lost.getFirst()).contains("t1", "Era ", "uma ", "NODE_LOST");

                log.append(new ChatEvent.Chunk("vez")); // the "dead" node was only slow: what it writes now...
                log.append(new ChatEvent.Done(Usage.unknown()));
                Thread.sleep(300);
                assertThat(readAll(c.follow(ANA, "t1").orElseThrow().log(), 0)).as("...is fenced off")
                        .isEqualTo(read);
            }
        }
    }

    @Test
    void shouldEndADeadNodesTurnWhenItsReaderNoticesFirst() throws Exception {
        String prefix = "noticed" + System.nanoTime();
        try (Redis ra = Redis.at(RedisUrl.parse(REDIS.url())); Redis rb = Redis.at(RedisUrl.parse(REDIS.url()));
             RedisTurnLogs logs = new RedisTurnLogs(ra, prefix, HOUR, Duration.ofMinutes(2))) {
            RedisTurnDirectory a = new RedisTurnDirectory(ra, prefix, HOUR, Duration.ofMinutes(2),
                    Duration.ofMillis(800), Duration.ofMillis(200));
            // B looks for dead nodes only once, at its start: here its reader finds the lapsed lease
            try (RedisTurnDirectory b = new RedisTurnDirectory(rb, prefix, HOUR, Duration.ofMinutes(2),
                    Duration.ofMinutes(10), Duration.ofMinutes(10))) {
                List<String> lost = new CopyOnWriteArrayList<>();
                b.onLost((turn, events) -> lost.add(turn.turnId()));
                TurnLog log = logs.create("t1");
                a.running(running("t1"));
                log.append(new ChatEvent.Chunk("Era "));
                await(() -> logs.copied("t1"), "the chunk copied");
                TurnLog reader = b.follow(ANA, "t1").orElseThrow().log();
                a.close();

                List<TurnLog.Entry> read = readAll(reader, 0);
                assertThat(read).extracting(TurnLog.Entry::event).containsExactly(new ChatEvent.Chunk("Era "),
                        new ChatEvent.Failed(ErrorCode.NODE_LOST, RedisTurnDirectory.LOST_MESSAGE));
                await(() -> lost.size() == 1, "the reader's node told");
            }
        }
    }

    @Test
    void shouldEndADeadNodesTurnAfterWhatAClientGotEvenWhenTheCopyHadLess() throws Exception {
        String prefix = "beyond" + System.nanoTime();
        try (Redis ra = Redis.at(RedisUrl.parse(REDIS.url())); Redis rb = Redis.at(RedisUrl.parse(REDIS.url()));
             RedisTurnLogs logs = new RedisTurnLogs(ra, prefix, HOUR, Duration.ofMinutes(2))) {
            RedisTurnDirectory a = new RedisTurnDirectory(ra, prefix, HOUR, Duration.ofMinutes(2),
                    Duration.ofMillis(800), Duration.ofMillis(200));
            try (RedisTurnDirectory b = new RedisTurnDirectory(rb, prefix, HOUR, Duration.ofMinutes(2),
                    Duration.ofMillis(800), Duration.ofMillis(200))) {
                TurnLog log = logs.create("t1");
                a.running(running("t1"));
                log.append(new ChatEvent.Chunk("Era "));
                await(() -> logs.copied("t1"), "the chunk copied");
                a.close();
                await(() -> b.follow(ANA, "t1").orElseThrow().log().ended(), "the turn ended with node_lost");
                ChatEvent lost = new ChatEvent.Failed(ErrorCode.NODE_LOST, RedisTurnDirectory.LOST_MESSAGE);

                // a client that got four events from node A before it died (the copy has one): its end comes after them
                TurnLog beyond = b.follow(ANA, "t1").orElseThrow().log();
                assertThat(readAll(beyond, 4)).containsExactly(new TurnLog.Entry(5, lost));
                TurnLog again = b.follow(ANA, "t1").orElseThrow().log();
                assertThat(again.last()).as("and then it has everything").isEqualTo(5);
                assertThat(readAll(again, 0)).containsExactly(new TurnLog.Entry(1, new ChatEvent.Chunk("Era ")),
                        new TurnLog.Entry(5, lost));
                assertThat(readAll(b.follow(ANA, "t1").orElseThrow().log(), 2)).as("one end for everyone")
                        .containsExactly(new TurnLog.Entry(5, lost));
            }
        }
    }

    @Test
    void shouldCopyWhatWaitedWhileRedisWasDownOnceItIsBack() throws Exception {
        String prefix = "outage" + System.nanoTime();
        try (Redis ra = Redis.at(RedisUrl.parse(REDIS.url())); Redis rb = Redis.at(RedisUrl.parse(REDIS.url()));
             RedisTurnDirectory a = new RedisTurnDirectory(ra, prefix, HOUR, Duration.ofMinutes(2));
             RedisTurnDirectory b = new RedisTurnDirectory(rb, prefix, HOUR, Duration.ofMinutes(2));
             RedisTurnLogs logs = new RedisTurnLogs(ra, prefix, HOUR, Duration.ofMinutes(2))) {
            TurnLog log = logs.create("t1");
            a.running(running("t1"));
            log.append(new ChatEvent.Chunk("Era "));
            await(() -> logs.copied("t1"), "the first chunk copied");
            REDIS.stop();
            try {
                log.append(new ChatEvent.Chunk("uma vez"));
                log.append(new ChatEvent.Done(Usage.unknown()));
                Thread.sleep(300);
                assertThat(logs.copied("t1")).isFalse();
            } finally {
                REDIS.startAgain();
            }
            // an empty Redis after its restart: the turn's note is written again by a long turn's renewal; here by hand
            a.running(running("t1"));
            await(() -> logs.copied("t1"), "the rest copied once Redis is back");
            assertThat(readAll(b.follow(ANA, "t1").orElseThrow().log(), 0)).extracting(TurnLog.Entry::event)
                    .containsExactly(new ChatEvent.Chunk("uma vez"), new ChatEvent.Done(Usage.unknown()));
        }
    }
}
