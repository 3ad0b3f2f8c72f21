package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/** Issue 19: turns that outlive their connection, resumed from any point, each event exactly once. */
class TurnsTest {
    private static final UserId ANA = UserId.of("ana");
    private static final UserId RUI = UserId.of("rui");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ManualTimer timer = new ManualTimer();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final Turns turns = new Turns(new InMemoryTurnLogs(), timer, clock, new Turns.Settings(
            Duration.ofSeconds(30), Duration.ofSeconds(120), 64L << 20, Duration.ofMinutes(10)));

    /** Timers that fire only when the test says so: no test waits for wall-clock time. */
    static final class ManualTimer implements Turns.Timer {
        record Task(Duration delay, Runnable task, boolean[] cancelled) {
        }

        final List<Task> tasks = new CopyOnWriteArrayList<>();

        @Override
        public Runnable schedule(Duration delay, Runnable task) {
            boolean[] cancelled = {false};
            tasks.add(new Task(delay, task, cancelled));
            return () -> cancelled[0] = true;
        }

        /** Runs every pending task scheduled with exactly {@code delay}. */
        void fire(Duration delay) {
            for (Task t : List.copyOf(tasks)) {
                if (t.delay().equals(delay) && !t.cancelled()[0]) {
                    tasks.remove(t);
                    t.task().run();
                }
            }
        }

        long pending(Duration delay) {
            return tasks.stream().filter(t -> t.delay().equals(delay) && !t.cancelled()[0]).count();
        }
    }

    /** A reply of pieces, one let through per {@link #step}; it stops as a streamer does when cancelled. */
    static final class Steps implements Turns.Body {
        private final List<String> pieces;
        private final Semaphore steps = new Semaphore(0);

        Steps(String... pieces) {
            this.pieces = List.of(pieces);
        }

        static Steps all(String... pieces) {
            Steps s = new Steps(pieces);
            s.step(pieces.length + 1);
            return s;
        }

        void step(int n) {
            steps.release(n);
        }

        @Override
        public void run(EventSink sink, Cancellation cancellation) {
            try (Cancellation.Registration r = cancellation.onCancel(() -> steps.release(1_000))) {
                for (String p : pieces) {
                    steps.acquire();
                    if (cancellation.isCancelled()) {
                        break;
                    }
                    sink.send(new ChatEvent.Chunk(p));
                }
                steps.acquire();
                if (cancellation.isCancelled()) {
                    sink.send(new ChatEvent.Failed(cancellation.code(), cancellation.reason()));
                } else {
                    sink.send(new ChatEvent.Done(Usage.unknown()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Reads until the terminal event. */
    private static List<TurnLog.Entry> readAll(Turn.Attachment a) throws InterruptedException {
        List<TurnLog.Entry> out = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!a.done() && System.nanoTime() < deadline) {
            out.addAll(a.next(Duration.ofMillis(200)).entries());
        }
        return out;
    }

    private static List<ChatEvent> events(List<TurnLog.Entry> entries) {
        return entries.stream().map(TurnLog.Entry::event).toList();
    }

    @Test
    void shouldResumeFromEveryCursorWithEachEventExactlyOnce() throws Exception {
        Turn turn = turns.start(ANA, true, Optional.empty(), Steps.all("Era ", "uma ", "vez"));
        List<TurnLog.Entry> whole;
        try (Turn.Attachment first = turn.attach(0)) {
            whole = readAll(first);
        }
        assertThat(events(whole)).containsExactly(new ChatEvent.Chunk("Era "), new ChatEvent.Chunk("uma "),
                new ChatEvent.Chunk("vez"), new ChatEvent.Done(Usage.unknown()));
        assertThat(whole).extracting(TurnLog.Entry::seq).containsExactly(1L, 2L, 3L, 4L);

        for (long cursor = 0; cursor <= 4; cursor++) {
            try (Turn.Attachment again = turn.attach(cursor)) {
                List<TurnLog.Entry> rest = readAll(again);
                List<TurnLog.Entry> joined = new ArrayList<>(whole.subList(0, (int) cursor));
                joined.addAll(rest);
                assertThat(joined).as("before %d and after it", cursor).isEqualTo(whole);
                assertThat(again.done()).isTrue();
            }
        }
    }

    @Test
    void shouldGiveEveryAttachedReaderTheWholeSequenceWhileItStreams() throws Exception {
        Steps body = new Steps("a", "b", "c");
        Turn turn = turns.start(ANA, false, Optional.empty(), body);
        List<Turn.Attachment> readers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            readers.add(turn.attach(0));
        }
        body.step(2);
        assertThat(readers.getFirst().next(WAIT).entries()).isNotEmpty();
        Turn.Attachment late = turn.attach(0); // joins mid-reply
        body.step(10);

        List<ChatEvent> expected = List.of(new ChatEvent.Chunk("a"), new ChatEvent.Chunk("b"),
                new ChatEvent.Chunk("c"), new ChatEvent.Done(Usage.unknown()));
        readers.add(late);
        for (Turn.Attachment r : readers) {
            List<ChatEvent> got = new ArrayList<>();
            if (r == readers.getFirst()) {
                got.addAll(events(turn.log().read(0, Duration.ZERO).entries().subList(0, (int) r.seq())));
            }
            got.addAll(events(readAll(r)));
            assertThat(got).isEqualTo(expected);
            r.close();
        }
    }

    @Test
    void shouldStopAPlainTurnAsSoonAsItsLastClientLeaves() throws Exception {
        Steps body = new Steps("a", "b", "c");
        Turn turn = turns.start(ANA, false, Optional.empty(), body);
        Turn.Attachment a = turn.attach(0);
        Turn.Attachment b = turn.attach(0);
        body.step(1);

        a.close();
        assertThat(turn.ended()).as("one client is still there").isFalse();
        b.close();

        TurnLog.Entry last = awaitEnd(turn);
        assertThat(last.event()).isEqualTo(new ChatEvent.Failed(ErrorCode.CANCELLED, "The client went away"));
    }

    @Test
    void shouldKeepAResumableTurnRunningForTheGraceThenStopIt() throws Exception {
        Steps body = new Steps("a", "b", "c");
        Turn turn = turns.start(ANA, true, Optional.empty(), body);
        Turn.Attachment a = turn.attach(0);
        body.step(1);
        a.close();
        assertThat(timer.pending(Duration.ofSeconds(30))).isEqualTo(1);

        Turn.Attachment back = turn.attach(1); // reattached within the grace: the expiry is off
        timer.fire(Duration.ofSeconds(30));
        body.step(10);
        assertThat(events(readAll(back))).containsExactly(new ChatEvent.Chunk("b"), new ChatEvent.Chunk("c"),
                new ChatEvent.Done(Usage.unknown()));

        Steps second = new Steps("x", "y");
        Turn abandoned = turns.start(ANA, true, Optional.empty(), second);
        abandoned.attach(0).close();
        second.step(1);
        timer.fire(Duration.ofSeconds(30));
        assertThat(awaitEnd(abandoned).event()).isInstanceOfSatisfying(ChatEvent.Failed.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.CANCELLED);
            assertThat(f.message()).isEqualTo("Nobody came back for the reply within 30 s, so it was stopped");
        });
    }

    @Test
    void shouldStopForEveryoneAttachedOnceAndOnlyOnce() throws Exception {
        Steps body = new Steps("a", "b");
        Turn turn = turns.start(ANA, true, Optional.empty(), body);
        Turn.Attachment a = turn.attach(0);
        Turn.Attachment b = turn.attach(0);

        assertThat(turn.stop()).isTrue();
        List<ChatEvent> seenByA = events(readAll(a));
        List<ChatEvent> seenByB = events(readAll(b));

        assertThat(seenByA).containsExactly(new ChatEvent.Failed(ErrorCode.CANCELLED, "Stopped"));
        assertThat(seenByB).isEqualTo(seenByA);
        assertThat(turn.stop()).as("idempotent").isFalse();
    }

    @Test
    void shouldGiveARetriedStartTheSameTurnAndKeepUsersApart() {
        Turn first = turns.start(ANA, true, Optional.of("k1"), Steps.all("a"));

        assertThat(turns.start(ANA, true, Optional.of("k1"), Steps.all("b"))).isSameAs(first);
        assertThat(turns.start(RUI, true, Optional.of("k1"), Steps.all("c"))).isNotSameAs(first);
        assertThat(turns.start(ANA, true, Optional.of("k2"), Steps.all("d"))).isNotSameAs(first);
        clock.advance(Duration.ofMinutes(10));
        assertThat(turns.start(ANA, true, Optional.of("k1"), Steps.all("e"))).as("past the window").isNotSameAs(first);
        assertThat(turns.find(RUI, first.id())).as("another user's turn is not found").isEmpty();
        assertThat(turns.find(ANA, first.id())).contains(first);
    }

    /**
     * Two starts with one key at the same moment: one plan (one conversation, one model call) and one turn for both;
     * a plan that throws frees its key, and the retry makes its own.
     */
    @Test
    void shouldMakeOnePlanForConcurrentStartsWithOneKeyAndFreeTheKeyWhenThePlanFails() throws Exception {
        java.util.concurrent.atomic.AtomicInteger plans = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch planning = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Turns.Planner slow = () -> {
            plans.incrementAndGet();
            planning.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Turns.Plan(java.util.OptionalLong.of(7), "Olá", Steps.all("a"));
        };
        java.util.concurrent.CompletableFuture<Turn> first = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> turns.start(ANA, true, Optional.of("k"), slow));
        assertThat(planning.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        java.util.concurrent.CompletableFuture<Turn> second = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> turns.start(ANA, true, Optional.of("k"), slow));
        release.countDown();

        assertThat(second.get(30, java.util.concurrent.TimeUnit.SECONDS))
                .isSameAs(first.get(30, java.util.concurrent.TimeUnit.SECONDS));
        assertThat(plans).hasValue(1);
        assertThat(first.get().conversationId()).hasValue(7);
        assertThat(first.get().message()).isEqualTo("Olá");

        Turns.Planner failing = () -> {
            throw new TransientException(ErrorCode.STORE_UNAVAILABLE, "the database is down");
        };
        assertThat(org.assertj.core.api.Assertions.catchThrowable(
                () -> turns.start(ANA, true, Optional.of("k2"), failing)))
                .isInstanceOf(TransientException.class);
        Turn retried = turns.start(ANA, true, Optional.of("k2"), Steps.all("b"));
        assertThat(retried).isNotSameAs(first.get());
        assertThat(turns.kept()).isEqualTo(2);
    }

    /** What a reloaded page attaches to: the user's newest running turn in that conversation, none once it ended. */
    @Test
    void shouldFindTheRunningTurnOfAConversation() throws Exception {
        Steps older = new Steps("x");
        Steps newer = new Steps("y");
        Turn a = turns.start(ANA, true, Optional.empty(), () -> new Turns.Plan(java.util.OptionalLong.of(5), "um", older));
        Turn b = turns.start(ANA, true, Optional.empty(), () -> new Turns.Plan(java.util.OptionalLong.of(5), "dois", newer));
        turns.start(ANA, true, Optional.empty(), () -> new Turns.Plan(java.util.OptionalLong.of(6), "três", Steps.all()));

        assertThat(turns.runningIn(ANA, 5)).contains(b);
        assertThat(turns.runningIn(RUI, 5)).as("another user's").isEmpty();
        assertThat(turns.runningIn(ANA, 99)).isEmpty();

        try (Turn.Attachment reader = b.attach(0)) {
            newer.step(2);
            readAll(reader);
        }
        assertThat(turns.runningIn(ANA, 5)).as("b ended; a still runs").contains(a);
        a.stop();
        assertThat(a.awaitFinished(WAIT)).isTrue();
        assertThat(turns.runningIn(ANA, 5)).isEmpty();
    }

    @Test
    void shouldKeepAnEndedLogForAWhileWithinTheMemoryBoundAndNeverDropARunningTurn() throws Exception {
        Turns small = new Turns(new InMemoryTurnLogs(), timer, clock, new Turns.Settings(Duration.ofSeconds(30),
                Duration.ofSeconds(120), 2_000, Duration.ofMinutes(10)));
        Steps running = new Steps("still going");
        Turn live = small.start(ANA, true, Optional.empty(), running);
        live.attach(0);
        List<Turn> ended = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Turn t = small.start(ANA, true, Optional.empty(), Steps.all("x".repeat(200)));
            try (Turn.Attachment a = t.attach(0)) {
                readAll(a);
            }
            assertThat(t.awaitFinished(WAIT)).isTrue();
            ended.add(t);
        }

        assertThat(small.find(ANA, live.id())).as("running: never dropped").contains(live);
        assertThat(small.find(ANA, ended.getFirst().id())).as("the oldest ended went first").isEmpty();
        assertThat(small.find(ANA, ended.getLast().id())).isPresent();
        assertThat(small.kept()).isLessThan(20);

        timer.fire(Duration.ofSeconds(120));
        assertThat(small.find(ANA, ended.getLast().id())).as("past resume.keep.seconds").isEmpty();
        running.step(10);
    }

    private static TurnLog.Entry awaitEnd(Turn turn) throws InterruptedException {
        assertThat(turn.awaitFinished(WAIT)).as("the turn ended").isTrue();
        List<TurnLog.Entry> all = turn.log().read(0, Duration.ZERO).entries();
        return all.getLast();
    }

    /** A reader that stops reading holds the turn back (as a slow client held the model back before turns). */
    @Test
    void shouldHoldTheTurnBackWhileItsSlowestReaderIsAWindowBehind() throws Exception {
        String[] many = new String[Turn.WINDOW * 3];
        java.util.Arrays.fill(many, "x");
        Steps body = new Steps(many);
        Turn turn = turns.start(ANA, false, Optional.empty(), body);
        Turn.Attachment stuck = turn.attach(0); // before the reply may go: held back from its first event on
        body.step(many.length + 1);

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (turn.lastSeq() < Turn.WINDOW && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(turn.awaitFinished(Duration.ofMillis(300))).as("the turn waits for its reader").isFalse();
        assertThat(turn.lastSeq()).isEqualTo(Turn.WINDOW);

        stuck.next(Duration.ZERO); // it reads: the turn goes on until it is a window ahead again
        deadline = System.nanoTime() + WAIT.toNanos();
        while (turn.lastSeq() < 2L * Turn.WINDOW && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(turn.lastSeq()).isEqualTo(2L * Turn.WINDOW);

        stuck.close(); // the only reader left a plain turn: it stops
        assertThat(awaitEnd(turn).event()).isEqualTo(new ChatEvent.Failed(ErrorCode.CANCELLED, "The client went away"));
    }

    /** 1,000 resumable turns, each abandoned after a few events: all stop, and what is kept stays in the bound. */
    @Test
    void shouldStopAThousandAbandonedTurnsAndKeepTheirLogsWithinTheBound() throws Exception {
        long bound = 100_000;
        Turns bounded = new Turns(new InMemoryTurnLogs(), timer, clock, new Turns.Settings(Duration.ofSeconds(30),
                Duration.ofSeconds(120), bound, Duration.ofMinutes(10)));
        List<Turn> started = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            Steps body = new Steps("um ", "dois ", "três ", "quatro ", "cinco");
            Turn t = bounded.start(ANA, true, Optional.empty(), body);
            Turn.Attachment a = t.attach(0);
            body.step(3);
            a.next(WAIT); // a few events, then the client is gone
            a.close();
            started.add(t);
        }

        timer.fire(Duration.ofSeconds(30)); // nobody came back to any of them
        for (Turn t : started) {
            assertThat(t.awaitFinished(WAIT)).isTrue();
        }

        assertThat(bounded.running()).isZero();
        long keptBytes = started.stream().filter(t -> bounded.find(ANA, t.id()).isPresent())
                .mapToLong(t -> t.log().bytes()).sum();
        assertThat(keptBytes).isLessThanOrEqualTo(bound);
        assertThat(bounded.kept()).isLessThan(1_000).isPositive();
    }
}
