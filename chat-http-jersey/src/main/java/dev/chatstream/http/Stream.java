package dev.chatstream.http;

import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.Turn;
import dev.chatstream.core.TurnLog;
import dev.chatstream.core.UserId;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One connection reading one {@link Turn}, and the one owner of everything the connection holds: its slot lease,
 * its registration for shutdown, its {@link Cancellation} (the client is gone), its heartbeat, its client-gone
 * watch, its attachment to the turn and its access-log line. Built by {@link Streams} (which takes the slot and
 * registers it); {@link #run} writes the turn's events after {@code after} on the caller's (virtual) thread, each
 * framed with the id {@code <turn_id>:<seq>}; {@link #close}, called once the response is complete (its last
 * event and the end of its chunked body written, or the connection gone), releases everything, exactly once.
 * The turn itself runs on its own thread: when this connection goes, a plain turn stops at once and a resumable
 * one after its grace period (the turn decides, see {@link dev.chatstream.core.Turns}).
 */
final class Stream implements AutoCloseable {
    static final String CLIENT_GONE = "The client went away";
    /**
     * How long one read of the turn's log waits before it looks at the connection again. A client that goes
     * interrupts the read at once, so this only bounds a missed wake-up; an idle stream (a model loading) wakes once
     * per this, not twice a second (5,000 waiting streams cost 7x the CPU of no turns with 500 ms).
     */
    private static final Duration POLL = Duration.ofSeconds(30);

    /** What the access log says about one request. */
    record Call(String requestId, String method, String path, long startNanos) {
    }

    private final Streams streams;
    private final UserId user;
    private final Turn turn;
    private final long after;
    private final Call call;
    private final PeerWatch.Peer peer;
    private final StreamSlots.Lease lease;
    private final java.util.function.Function<Turn, Wire> wire;
    private final Cancellation cancellation = new Cancellation();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<ChatEvent> terminal = new AtomicReference<>();
    private volatile long chunks;
    private volatile int status = 200;
    private volatile Heartbeat heartbeat;
    private volatile PeerWatch.Watch watch;
    private volatile SseStream sse;
    /** The phases of the first chunk of the turn this stream started (null for a resume). */
    private volatile FirstChunkTiming timing;

    Stream(Streams streams, UserId user, Turn turn, long after, Call call, PeerWatch.Peer peer,
            StreamSlots.Lease lease, java.util.function.Function<Turn, Wire> wire) {
        this.wire = wire;
        this.streams = streams;
        this.user = user;
        this.turn = turn;
        this.after = after;
        this.call = call;
        this.peer = peer;
        this.lease = lease;
    }

    Cancellation cancellation() {
        return cancellation;
    }

    Turn turn() {
        return turn;
    }

    /** This stream started its turn: its first chunk's phases are measured. */
    Stream timed(FirstChunkTiming t) {
        timing = t;
        return this;
    }

    /** The status the answer went out with, for the access log, when it is not 200 (an answer built by {@link #collect}). */
    void status(int answered) {
        status = answered;
    }

    /** Where {@link #serve} puts the turn's events: an event stream, or a list for one answer. */
    private interface Out {
        /** Called before the first event; false when the client is already gone. */
        boolean open();

        /** False when the client is gone. */
        boolean send(long seq, ChatEvent event);
    }

    /** Opens the event stream and writes the turn's events into {@code out}; returns after the terminal event. */
    void run(OutputStream out) {
        if (!started.compareAndSet(false, true) || closed.get()) {
            return;
        }
        SseStream events = new SseStream(out, call.requestId(), wire.apply(turn), new SseStream.Observer() {
            @Override
            public void chunkWritten(boolean first) {
                chunks++;
                streams.metrics().tokenRelayed();
                if (first) {
                    long now = System.nanoTime();
                    streams.metrics().firstChunk(Duration.ofNanos(now - call.startNanos()));
                    FirstChunkTiming t = timing;
                    if (t != null) {
                        t.record(streams.metrics(), now);
                    }
                }
            }

            @Override
            public void terminal(ChatEvent event) {
                terminal.set(event);
            }
        });
        sse = events;
        HttpConfig config = streams.config();
        serve(new Out() {
            @Override
            public boolean open() {
                if (!events.open()) {
                    return false;
                }
                ScheduledExecutorService timers = streams.timers();
                heartbeat = new Heartbeat(events, (nanos, task) -> timers.schedule(task, nanos,
                        TimeUnit.NANOSECONDS), config.heartbeat(), System::nanoTime, Thread::startVirtualThread,
                        () -> cancellation.cancel(CLIENT_GONE));
                return true;
            }

            @Override
            public boolean send(long seq, ChatEvent event) {
                return events.send(seq, event);
            }
        });
    }

    /**
     * Reads the whole turn for an answer that is not a stream (a front door's {@code "stream": false}): its events up
     * to the terminal one, or up to when the client left (then the list has no terminal event). Nothing is written
     * meanwhile; the caller writes the answer, and {@link #close}s this once it is complete.
     */
    java.util.List<ChatEvent> collect() {
        java.util.List<ChatEvent> events = new java.util.ArrayList<>();
        if (!started.compareAndSet(false, true) || closed.get()) {
            return events;
        }
        serve(new Out() {
            @Override
            public boolean open() {
                return true;
            }

            @Override
            public boolean send(long seq, ChatEvent event) {
                events.add(event);
                if (event instanceof ChatEvent.Chunk) {
                    chunks++;
                    streams.metrics().tokenRelayed();
                }
                if (event.terminal()) {
                    terminal.set(event);
                }
                return true;
            }
        });
        return events;
    }

    private void serve(Out out) {
        Thread pumping = Thread.currentThread();
        try (Turn.Attachment reader = turn.attach(after);
             Cancellation.Registration gone = cancellation.onCancel(() -> {
                 if (cancellation.code() == ErrorCode.SERVER_SHUTDOWN) {
                     turn.cancel(ErrorCode.SERVER_SHUTDOWN, cancellation.reason()); // its terminal event still comes
                 } else {
                     reader.close();
                     wake(pumping); // a read waiting for the next event returns now
                 }
             })) {
            if (!out.open()) {
                cancellation.cancel(CLIENT_GONE);
                return;
            }
            watch = streams.peers().watch(peer, cancellation);
            pump(reader, out);
        } catch (InterruptedException e) {
            cancellation.cancel(CLIENT_GONE); // woken because the client went (wake), or stopped from outside
        } finally {
            synchronized (wakeLock) {
                pumpDone = true;
                Thread.interrupted(); // a wake-up that came after the last read must not reach the response's end
            }
            stopTimers(); // nothing may be written after the terminal event, not even a ping
        }
    }

    private final Object wakeLock = new Object();
    private boolean pumpDone;

    /** Interrupts the pump's wait for the turn's next event, unless the pump is already done. */
    private void wake(Thread pump) {
        synchronized (wakeLock) {
            if (!pumpDone && pump != Thread.currentThread()) {
                pump.interrupt();
            }
        }
    }

    /** Writes what the turn's log holds and then what comes, until the terminal event or the client is gone. */
    private void pump(Turn.Attachment reader, Out events) throws InterruptedException {
        while (!reader.done() && !clientGone()) {
            TurnLog.Batch batch = reader.next(POLL);
            for (TurnLog.Entry entry : batch.entries()) {
                if (!events.send(entry.seq(), entry.event())) {
                    cancellation.cancel(CLIENT_GONE);
                    return;
                }
            }
        }
    }

    private boolean clientGone() {
        return cancellation.isCancelled() && cancellation.code() != ErrorCode.SERVER_SHUTDOWN;
    }

    private void stopTimers() {
        PeerWatch.Watch w = watch;
        if (w != null) {
            w.close();
        }
        Heartbeat h = heartbeat;
        if (h != null) {
            h.stop();
        }
    }

    /**
     * Releases everything the stream holds, once: the watch, the heartbeat, the attachment, the slot and the
     * shutdown registration; writes the access-log line.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            stopTimers();
            if (started.get()) {
                finish();
            }
            cancellation.cancel(CLIENT_GONE);
        } finally {
            streams.openStreams().remove(cancellation);
            lease.close();
        }
    }

    private void finish() {
        Duration took = Duration.ofNanos(System.nanoTime() - call.startNanos());
        ServerMetrics metrics = streams.metrics();
        metrics.streamEnded(took);
        String outcome = switch (terminal.get()) {
            case ChatEvent.Failed f -> {
                metrics.error(f.code().code());
                yield f.code().code();
            }
            case ChatEvent.Done d -> "done";
            case null, default -> {
                SseStream events = sse;
                yield events != null && events.broken() ? "client_gone" : "unfinished";
            }
        };
        if (clientGone() && terminal.get() == null && !turn.resumable()) {
            metrics.upstreamCancelled(); // the client left a plain turn: it stops, and Ollama's request is closed
        }
        AccessLog.line(call.requestId(), call.method(), call.path(), user.value(), status, took, chunks, outcome);
    }
}
