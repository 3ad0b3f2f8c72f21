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
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one accepted chat request as an event stream, on the caller's (virtual) thread: opens the stream,
 * keeps it alive with heartbeats, enforces the maximum duration, registers it for shutdown, and records
 * metrics and the access log line when it ends. The turn is stored when the stream ends (see
 * {@link Conversations}). With {@code actions.auto}, the {@link ActionDispatcher} handles the model's actions on
 * their way to the client. The caller has already taken the stream slot; this releases it.
 */
final class StreamRunner {
    static final String CLIENT_GONE = "The client went away";

    private final ChatStreamer streamer;
    private final Conversations conversations;
    private final ScheduledExecutorService timers;
    private final HttpConfig config;
    private final ServerMetrics metrics;
    private final OpenStreams openStreams;
    private final StreamSlots slots;
    private final ActionDispatcher actions;

    StreamRunner(ChatStreamer streamer, Conversations conversations, ScheduledExecutorService timers,
            HttpConfig config, ServerMetrics metrics, OpenStreams openStreams, StreamSlots slots,
            ActionDispatcher actions) {
        this.streamer = streamer;
        this.conversations = conversations;
        this.timers = timers;
        this.config = config;
        this.metrics = metrics;
        this.openStreams = openStreams;
        this.slots = slots;
        this.actions = actions;
    }

    /** What the access log says about one request. */
    record Call(String requestId, String method, String path, long startNanos) {
    }

    void run(ChatRequest request, Call call, OutputStream out, Cancellation cancellation, PeerWatch.Peer peer) {
        AtomicReference<ChatEvent> terminal = new AtomicReference<>();
        long[] chunks = {0};
        SseStream sse = new SseStream(out, call.requestId(), new SseStream.Observer() {
            @Override
            public void chunkWritten(boolean first) {
                chunks[0]++;
                metrics.tokenRelayed();
                if (first) {
                    metrics.firstChunk(Duration.ofNanos(System.nanoTime() - call.startNanos()));
                }
            }

            @Override
            public void terminal(ChatEvent event) {
                terminal.set(event);
            }
        });
        ScheduledFuture<?> deadline = timers.schedule(() -> Thread.startVirtualThread(() -> cancellation.cancel(
                ErrorCode.TIMEOUT, "The reply took longer than " + config.maxStreamDuration().toSeconds()
                        + " s, the server's limit; ask for a shorter answer, or raise limits.stream.seconds")),
                config.maxStreamDuration().toNanos(), TimeUnit.NANOSECONDS);
        Heartbeat heartbeat = new Heartbeat(sse, cancellation);
        PeerWatch watch = new PeerWatch();
        try {
            if (!openStreams.add(cancellation)) {
                cancellation.cancel(ErrorCode.SERVER_SHUTDOWN, OpenStreams.SHUTDOWN_MESSAGE);
            }
            if (sse.open()) {
                heartbeat.schedule(config.heartbeat());
                watch.start(peer, cancellation);
                EventSink client = config.actionsAuto() ? actions.dispatching(request.user(), sse) : sse;
                streamer.stream(request, conversations.recording(request, client), cancellation);
            } else {
                cancellation.cancel(CLIENT_GONE);
            }
        } finally {
            watch.stop();
            heartbeat.stop();
            deadline.cancel(false);
            openStreams.remove(cancellation);
            slots.release(request.user());
            finish(call, request, terminal.get(), chunks[0], cancellation, sse);
        }
    }

    private void finish(Call call, ChatRequest request, ChatEvent terminal, long chunks, Cancellation cancellation,
            SseStream sse) {
        Duration took = Duration.ofNanos(System.nanoTime() - call.startNanos());
        metrics.streamEnded(took);
        String outcome;
        if (terminal instanceof ChatEvent.Failed f) {
            outcome = f.code().code();
            metrics.error(outcome);
        } else if (terminal instanceof ChatEvent.Done) {
            outcome = "done";
        } else {
            outcome = sse.broken() ? "client_gone" : "unfinished";
        }
        if (cancellation.isCancelled()) {
            metrics.upstreamCancelled();
        }
        AccessLog.line(call.requestId(), call.method(), call.path(), request.user().value(), 200, took, chunks,
                outcome);
    }

    /**
     * Sends {@code : ping} whenever the stream has been quiet for the heartbeat interval, which also
     * reveals a client that left silently while the model loads. Each check reschedules itself for the
     * moment the stream will next have been quiet that long.
     */
    private final class Heartbeat {
        private final SseStream sse;
        private final Cancellation cancellation;
        private volatile ScheduledFuture<?> next;
        private volatile boolean stopped;
        private long interval;

        Heartbeat(SseStream sse, Cancellation cancellation) {
            this.sse = sse;
            this.cancellation = cancellation;
        }

        void schedule(Duration every) {
            interval = every.toNanos();
            next = timers.schedule(this::check, interval, TimeUnit.NANOSECONDS);
        }

        private void check() {
            if (stopped) {
                return;
            }
            long quiet = System.nanoTime() - sse.lastWrite();
            if (quiet < interval) {
                next = timers.schedule(this::check, interval - quiet, TimeUnit.NANOSECONDS);
                return;
            }
            Thread.startVirtualThread(() -> { // a write may block on a slow client; never on the timer thread
                if (!sse.ping()) {
                    cancellation.cancel(CLIENT_GONE);
                    return;
                }
                if (!stopped) {
                    next = timers.schedule(this::check, interval, TimeUnit.NANOSECONDS);
                }
            });
        }

        void stop() {
            stopped = true;
            ScheduledFuture<?> f = next;
            if (f != null) {
                f.cancel(false);
            }
        }
    }
}
