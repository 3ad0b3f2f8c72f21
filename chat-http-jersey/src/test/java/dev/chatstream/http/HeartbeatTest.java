package dev.chatstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Pings on a quiet stream only, on time you move by hand. */
class HeartbeatTest {
    private static final long SECOND = 1_000_000_000L;

    /** A timer whose tasks run when the test moves time past them. */
    private static final class ManualTime implements Heartbeat.Timer {
        private record Task(long due, Runnable run, CompletableFuture<Void> future) {
        }

        long now;
        private final List<Task> tasks = new ArrayList<>();

        @Override
        public Future<?> after(long nanos, Runnable task) {
            Task t = new Task(now + nanos, task, new CompletableFuture<>());
            tasks.add(t);
            return t.future();
        }

        void advance(long nanos) {
            long until = now + nanos;
            for (;;) {
                Task first = tasks.stream().filter(t -> !t.future().isCancelled() && t.due() <= until)
                        .min(java.util.Comparator.comparingLong(Task::due)).orElse(null);
                if (first == null) {
                    break;
                }
                tasks.remove(first);
                now = first.due();
                first.run().run();
            }
            now = until;
        }

        long pending() {
            return tasks.stream().filter(t -> !t.future().isCancelled()).count();
        }
    }

    private static final class FakeStream implements Heartbeat.Beat {
        final ManualTime time;
        long lastWrite;
        boolean clientThere = true;
        final AtomicInteger pings = new AtomicInteger();

        FakeStream(ManualTime time) {
            this.time = time;
        }

        void write() {
            lastWrite = time.now;
        }

        @Override
        public long lastWrite() {
            return lastWrite;
        }

        @Override
        public boolean ping() {
            if (!clientThere) {
                return false;
            }
            pings.incrementAndGet();
            lastWrite = time.now;
            return true;
        }
    }

    private final ManualTime time = new ManualTime();
    private final FakeStream stream = new FakeStream(time);
    private final AtomicInteger gone = new AtomicInteger();

    private Heartbeat start() {
        return new Heartbeat(stream, time, Duration.ofSeconds(15), () -> time.now, Runnable::run, gone::incrementAndGet);
    }

    @Test
    void shouldPingOnceEveryIntervalOfSilence() {
        start();

        time.advance(14 * SECOND);
        assertThat(stream.pings).hasValue(0);
        time.advance(SECOND);
        assertThat(stream.pings).hasValue(1);
        time.advance(45 * SECOND);
        assertThat(stream.pings).hasValue(4);
    }

    @Test
    void shouldNotPingAStreamThatKeepsWriting() {
        start();

        for (int i = 0; i < 60; i++) {
            time.advance(SECOND);
            stream.write();
        }

        assertThat(stream.pings).hasValue(0);
        time.advance(15 * SECOND);
        assertThat(stream.pings).as("quiet for one interval after the last write").hasValue(1);
    }

    @Test
    void shouldReportAClientThatLeftAndStopBeating() {
        start();
        stream.clientThere = false;

        time.advance(15 * SECOND);
        time.advance(60 * SECOND);

        assertThat(gone).hasValue(1);
        assertThat(time.pending()).isZero();
    }

    @Test
    void shouldStopForGood() {
        Heartbeat beat = start();
        time.advance(15 * SECOND);
        beat.stop();

        time.advance(120 * SECOND);

        assertThat(stream.pings).hasValue(1);
        assertThat(time.pending()).isZero();
    }
}
