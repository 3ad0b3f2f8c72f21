package dev.chatstream.core;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Enforces one reply's timeouts without a timer per line: a single scheduled check that re-arms itself for
 * the nearest deadline (first token, idle since the last line, overall). When a deadline passes it records
 * which one and runs the abort action, which closes the connection under the blocked reader.
 * Thread-safe: {@link #activity()} is called by the reader, the check runs on the scheduler. Used by the adapters
 * that stream from an HTTP upstream.
 */
public final class Watchdog implements AutoCloseable {
    /** Which deadline passed. */
    public enum Expiry {
        /** Nothing arrived within the first-token limit. */
        FIRST_TOKEN,
        /** Silence in the middle of the stream outlasted the idle limit. */
        IDLE,
        /** The whole stream outlasted the overall limit. */
        OVERALL
    }

    private final ScheduledExecutorService scheduler;
    private final long start = System.nanoTime();
    private final long firstTokenNanos;
    private final long idleNanos;
    private final long overallNanos;
    private final Runnable abort;
    private volatile long lastActivity;
    private volatile boolean streaming;
    private volatile Expiry expired;
    private ScheduledFuture<?> check;
    private boolean closed;

    /**
     * Starts watching at once; {@code abort} runs (on the scheduler's thread) when a deadline passes.
     *
     * @param scheduler runs the checks; one shared daemon thread is enough for any number of streams
     */
    public Watchdog(ScheduledExecutorService scheduler, Duration firstToken, Duration idle, Duration overall, Runnable abort) {
        this.scheduler = scheduler;
        this.firstTokenNanos = firstToken.toNanos();
        this.idleNanos = idle.toNanos();
        this.overallNanos = overall.toNanos();
        this.abort = abort;
        arm(Math.min(firstTokenNanos, overallNanos));
    }

    /** A line arrived. */
    public void activity() {
        lastActivity = System.nanoTime();
        if (!streaming) {
            // The idle deadline can be nearer than the first-token check armed at the start: re-arm for it.
            streaming = true;
            rearm(Math.min(idleNanos, start + overallNanos - lastActivity));
        }
    }

    /** The deadline that passed; empty while none has. */
    public java.util.Optional<Expiry> expired() {
        return java.util.Optional.ofNullable(expired);
    }

    /** The limit of a deadline, for messages. */
    public Duration limit(Expiry expiry) {
        return Duration.ofNanos(switch (expiry) {
            case FIRST_TOKEN -> firstTokenNanos;
            case IDLE -> idleNanos;
            case OVERALL -> overallNanos;
        });
    }

    private void check() {
        long now = System.nanoTime();
        long overallLeft = start + overallNanos - now;
        long phaseLeft = streaming ? lastActivity + idleNanos - now : start + firstTokenNanos - now;
        if (overallLeft <= 0 || phaseLeft <= 0) {
            expired = overallLeft <= 0 ? Expiry.OVERALL : streaming ? Expiry.IDLE : Expiry.FIRST_TOKEN;
            abort.run();
            return;
        }
        arm(Math.min(overallLeft, phaseLeft));
    }

    private synchronized void rearm(long nanos) {
        if (check != null) {
            check.cancel(false);
        }
        arm(nanos);
    }

    private synchronized void arm(long nanos) {
        if (!closed) {
            check = scheduler.schedule(this::check, nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (check != null) {
            check.cancel(false);
        }
    }
}
