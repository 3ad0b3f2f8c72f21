package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: a turn of another node read here ({@link Turns#follow}) and a turn of this node read through another one
 * ({@link TurnDirectory#readElsewhere}), with a directory that is a plain fake (the Redis one has its own tests).
 */
class FollowedTurnsTest {
    private static final UserId ANA = UserId.of("ana");

    /** A directory where the test says whether a client reads elsewhere, and sees the stops it passes on. */
    private static final class FakeDirectory implements TurnDirectory {
        volatile boolean readElsewhere;
        final List<String> stops = new CopyOnWriteArrayList<>();

        @Override
        public void running(Running turn) {
        }

        @Override
        public void ended(String turnId) {
        }

        @Override
        public boolean stopElsewhere(UserId user, String turnId) {
            stops.add(user.value() + " " + turnId);
            return true;
        }

        @Override
        public Optional<Followed> follow(UserId user, String turnId) {
            return Optional.empty();
        }

        @Override
        public Optional<Running> runningIn(UserId user, long conversationId) {
            return Optional.empty();
        }

        @Override
        public boolean readElsewhere(String turnId) {
            return readElsewhere;
        }

        @Override
        public void onStop(StopListener listener) {
        }

        @Override
        public void onLost(LostListener listener) {
        }
    }

    private final FakeDirectory directory = new FakeDirectory();
    private final TurnsTest.ManualTimer timer = new TurnsTest.ManualTimer();
    private final Turns turns = new Turns(new InMemoryTurnLogs(), timer, java.time.Clock.systemUTC(),
            new Turns.Settings(Duration.ofSeconds(30), Duration.ofSeconds(120), 64L << 20, Duration.ofMinutes(10)),
            directory);

    private static final TurnDirectory.Running RUNNING = new TurnDirectory.Running("t1", ANA, OptionalLong.of(7),
            "Olá", OptionalLong.empty(), true, true, Instant.parse("2026-12-02T10:00:00Z"));

    private static List<TurnLog.Entry> readAll(Turn.Attachment a) throws InterruptedException {
        List<TurnLog.Entry> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!a.done() && System.nanoTime() < deadline) {
            out.addAll(a.next(Duration.ofMillis(100)).entries());
        }
        return out;
    }

    @Test
    void shouldReadAnotherNodesTurnFromEveryCursorAndPassAStopOnToItsNode() throws Exception {
        TurnLog elsewhere = new InMemoryTurnLogs().create("t1"); // the other node's log, as its copy reads
        List<ChatEvent> events = List.of(new ChatEvent.Chunk("Era "), new ChatEvent.Chunk("uma vez"),
                new ChatEvent.FinalText("Era uma vez"), new ChatEvent.Done(Usage.unknown()));
        events.forEach(elsewhere::append);

        for (int cursor = 0; cursor <= events.size(); cursor++) {
            Turn followed = turns.follow(new TurnDirectory.Followed(RUNNING, elsewhere));
            assertThat(followed.followed()).isTrue();
            assertThat(followed.id()).isEqualTo("t1");
            assertThat(followed.conversationId()).hasValue(7);
            try (Turn.Attachment a = followed.attach(cursor)) {
                List<TurnLog.Entry> rest = readAll(a);
                assertThat(rest).extracting(TurnLog.Entry::event).isEqualTo(events.subList(cursor, events.size()));
                assertThat(rest).extracting(TurnLog.Entry::seq).allSatisfy(seq -> assertThat(seq).isGreaterThan(0));
            }
        }
        assertThat(turns.find(ANA, "t1")).as("not kept here: it is another node's").isEmpty();
        assertThat(directory.stops).as("a reader leaving stops nothing elsewhere").isEmpty();

        TurnLog running = new InMemoryTurnLogs().create("t2");
        running.append(new ChatEvent.Chunk("Era "));
        Turn live = turns.follow(new TurnDirectory.Followed(RUNNING, running));
        assertThat(live.stop()).isTrue();
        assertThat(directory.stops).containsExactly("ana t1");
        assertThat(running.last()).as("its node writes the stop's terminal event, not this one").isEqualTo(1);
    }

    @Test
    void shouldLetItsReadersGoWithoutATerminalEventWhenThisNodeStopsReading() throws Exception {
        TurnLog elsewhere = new InMemoryTurnLogs().create("t1");
        elsewhere.append(new ChatEvent.Chunk("Era "));
        Turn followed = turns.follow(new TurnDirectory.Followed(RUNNING, elsewhere));
        try (Turn.Attachment a = followed.attach(0)) {
            assertThat(a.next(Duration.ofSeconds(5)).entries()).hasSize(1);
            assertThat(followed.cancel(ErrorCode.SERVER_SHUTDOWN, "stopping")).isTrue();
            assertThat(a.done()).as("this node lets its client go, to resume elsewhere").isTrue();
            assertThat(a.next(Duration.ofSeconds(5)).entries()).isEmpty();
        }
        assertThat(elsewhere.ended()).as("the turn goes on where it runs").isFalse();
        assertThat(directory.stops).isEmpty();
    }

    @Test
    void shouldKeepAResumableTurnRunningPastItsGraceWhileAClientReadsItThroughAnotherNode() throws Exception {
        TurnsTest.Steps body = new TurnsTest.Steps("a", "b");
        Turn turn = turns.start(ANA, true, Optional.empty(), body);
        turn.attach(0).close(); // its own client left this node...
        directory.readElsewhere = true; // ...and reads it through another one

        timer.fire(Duration.ofSeconds(30));
        assertThat(turn.ended()).isFalse();
        assertThat(timer.pending(Duration.ofSeconds(30))).as("another grace, asked again then").isEqualTo(1);

        directory.readElsewhere = false;
        timer.fire(Duration.ofSeconds(30));
        assertThat(turn.awaitFinished(Duration.ofSeconds(30))).isTrue();
        TurnLog.Batch all = turn.log().read(0, Duration.ZERO);
        assertThat(all.entries().getLast().event()).isInstanceOfSatisfying(ChatEvent.Failed.class,
                f -> assertThat(f.code()).isEqualTo(ErrorCode.CANCELLED));
    }
}
