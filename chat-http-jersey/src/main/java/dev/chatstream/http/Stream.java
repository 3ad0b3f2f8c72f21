package dev.chatstream.http;

import dev.chatstream.core.ActionDispatcher;
import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.ChatStreamer;
import dev.chatstream.core.Conversations;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.EventSink;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One accepted chat request's stream, and the one owner of everything it holds: its slot lease, its registration for
 * shutdown, its {@link Cancellation}, its deadline, its heartbeat, its client-gone watch and its access-log line.
 * Built by {@link Streams#open} (which takes the slot and registers it); {@link #run} writes the reply on the
 * caller's (virtual) thread; {@link #close}, called once the response is complete (its last event and the end of
 * its chunked body written, or the connection gone), releases everything, exactly once. The stream is never
 * released before its bytes are out, so a shutdown that waits for open streams loses none of them.
 */
final class Stream implements AutoCloseable {
    static final String CLIENT_GONE = "The client went away";

    /** What the access log says about one request. */
    record Call(String requestId, String method, String path, long startNanos) {
    }

    private final Streams streams;
    private final ChatRequest request;
    private final Call call;
    private final PeerWatch.Peer peer;
    private final StreamSlots.Lease lease;
    private final Cancellation cancellation = new Cancellation();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<ChatEvent> terminal = new AtomicReference<>();
    private volatile long chunks;
    private volatile ScheduledFuture<?> deadline;
    private volatile Heartbeat heartbeat;
    private volatile PeerWatch.Watch watch;
    private volatile SseStream sse;

    Stream(Streams streams, ChatRequest request, Call call, PeerWatch.Peer peer, StreamSlots.Lease lease) {
        this.streams = streams;
        this.request = request;
        this.call = call;
        this.peer = peer;
        this.lease = lease;
    }

    Cancellation cancellation() {
        return cancellation;
    }

    /** Opens the event stream and streams the reply into {@code out}; returns once the terminal event is sent. */
    void run(OutputStream out) {
        if (!started.compareAndSet(false, true) || closed.get()) {
            return;
        }
        SseStream events = new SseStream(out, call.requestId(), new SseStream.Observer() {
            @Override
            public void chunkWritten(boolean first) {
                chunks++;
                streams.metrics().tokenRelayed();
                if (first) {
                    streams.metrics().firstChunk(Duration.ofNanos(System.nanoTime() - call.startNanos()));
                }
            }

            @Override
            public void terminal(ChatEvent event) {
                terminal.set(event);
            }
        });
        sse = events;
        HttpConfig config = streams.config();
        deadline = streams.timers().schedule(() -> Thread.startVirtualThread(() -> cancellation.cancel(
                ErrorCode.TIMEOUT, "The reply took longer than " + config.maxStreamDuration().toSeconds()
                        + " s, the server's limit; ask for a shorter answer, or raise limits.stream.seconds")),
                config.maxStreamDuration().toNanos(), TimeUnit.NANOSECONDS);
        try {
            if (!events.open()) {
                cancellation.cancel(CLIENT_GONE);
                return;
            }
            ScheduledExecutorService timers = streams.timers();
            heartbeat = new Heartbeat(events, (nanos, task) -> timers.schedule(task, nanos, TimeUnit.NANOSECONDS),
                    config.heartbeat(), System::nanoTime, Thread::startVirtualThread,
                    () -> cancellation.cancel(CLIENT_GONE));
            watch = streams.peers().watch(peer, cancellation);
            ActionDispatcher actions = streams.actions();
            EventSink client = config.actionsAuto() ? actions.dispatching(request.user(), events) : events;
            ChatStreamer streamer = streams.streamer();
            Conversations conversations = streams.conversations();
            streamer.stream(request, conversations.recording(request, client), cancellation);
        } finally {
            stopTimers(); // nothing may be written after the terminal event, not even a ping
        }
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
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
    }

    /**
     * Releases everything the stream holds, once: the watch, the heartbeat, the deadline, the slot and the shutdown
     * registration; cancels the turn if it still runs (the client left before it ended); writes the access-log line.
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
        if (cancellation.isCancelled()) {
            metrics.upstreamCancelled();
        }
        AccessLog.line(call.requestId(), call.method(), call.path(), request.user().value(), 200, took, chunks,
                outcome);
    }
}
