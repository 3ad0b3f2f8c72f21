package dev.chatstream.http;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;

/**
 * Sends {@code : ping} whenever a stream has been quiet for the heartbeat interval, which keeps proxies from closing
 * a quiet stream and reveals a client that left silently while the model loads. Each check reschedules itself for
 * the moment the stream will next have been quiet that long, so a busy stream gets no pings and costs one timer task
 * per interval. A ping is written off the timer's thread (a write may block on a slow client). Thread-safe.
 */
final class Heartbeat {
    /** The stream it keeps alive. */
    interface Beat {
        /** {@link LongSupplier ticker} time of the last write. */
        long lastWrite();

        /** Writes a ping; false when the client is gone. */
        boolean ping();
    }

    /** Runs a task once, {@code nanos} from now; the future cancels it. */
    interface Timer {
        Future<?> after(long nanos, Runnable task);
    }

    private final Beat stream;
    private final Timer timer;
    private final long interval;
    private final LongSupplier ticker;
    private final Executor writer;
    private final Runnable gone;
    private volatile Future<?> next;
    private volatile boolean stopped;

    /**
     * Starts beating: the first check comes one interval from now.
     *
     * @param writer where pings are written (a virtual thread each, in the server)
     * @param gone   what to do once a ping finds the client gone (cancel the stream)
     */
    Heartbeat(Beat stream, Timer timer, Duration every, LongSupplier ticker, Executor writer, Runnable gone) {
        this.stream = stream;
        this.timer = timer;
        this.interval = every.toNanos();
        this.ticker = ticker;
        this.writer = writer;
        this.gone = gone;
        next = timer.after(interval, this::check);
    }

    private void check() {
        if (stopped) {
            return;
        }
        long quiet = ticker.getAsLong() - stream.lastWrite();
        if (quiet < interval) {
            next = timer.after(interval - quiet, this::check);
            return;
        }
        writer.execute(() -> {
            if (!stream.ping()) {
                gone.run();
                return;
            }
            if (!stopped) {
                next = timer.after(interval, this::check);
            }
        });
    }

    /** Stops beating; no ping starts after this returns. */
    void stop() {
        stopped = true;
        Future<?> f = next;
        if (f != null) {
            f.cancel(false);
        }
    }
}
