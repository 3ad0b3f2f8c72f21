package dev.chatstream.http;

import dev.chatstream.core.ActionDispatcher;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.ChatStreamer;
import dev.chatstream.core.Conversations;
import dev.chatstream.core.ErrorCode;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Builds each accepted request's {@link Stream}: takes its slot, registers it for shutdown, and hands it what it
 * needs to run (the use case, the timers, the client watch, the metrics). Thread-safe; one per server.
 */
final class Streams {
    private final ChatStreamer streamer;
    private final Conversations conversations;
    private final ScheduledExecutorService timers;
    private final HttpConfig config;
    private final ServerMetrics metrics;
    private final OpenStreams openStreams;
    private final StreamSlots slots;
    private final ActionDispatcher actions;
    private final PeerWatch peers;

    Streams(ChatStreamer streamer, Conversations conversations, ScheduledExecutorService timers, HttpConfig config,
            ServerMetrics metrics, OpenStreams openStreams, StreamSlots slots, ActionDispatcher actions,
            PeerWatch peers) {
        this.streamer = streamer;
        this.conversations = conversations;
        this.timers = timers;
        this.config = config;
        this.metrics = metrics;
        this.openStreams = openStreams;
        this.slots = slots;
        this.actions = actions;
        this.peers = peers;
    }

    /**
     * Opens the stream of an accepted, validated request; the caller must {@link Stream#close} it once its response
     * is complete, whether or not it ran.
     *
     * @throws ApiException 429 when the user has too many open streams, 503 when the server is full
     */
    Stream open(ChatRequest request, Stream.Call call, PeerWatch.Peer peer) {
        StreamSlots.Lease lease = slots.acquire(request.user());
        Stream stream = new Stream(this, request, call, peer, lease);
        if (!openStreams.add(stream.cancellation())) { // shutdown began after the request was let in
            stream.cancellation().cancel(ErrorCode.SERVER_SHUTDOWN, OpenStreams.SHUTDOWN_MESSAGE);
        }
        return stream;
    }

    ChatStreamer streamer() {
        return streamer;
    }

    Conversations conversations() {
        return conversations;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    HttpConfig config() {
        return config;
    }

    ServerMetrics metrics() {
        return metrics;
    }

    OpenStreams openStreams() {
        return openStreams;
    }

    ActionDispatcher actions() {
        return actions;
    }

    PeerWatch peers() {
        return peers;
    }
}
