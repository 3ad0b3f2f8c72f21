package dev.chatstream.http;

import dev.chatstream.core.ActionDispatcher;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.ChatStreamer;
import dev.chatstream.core.Conversations;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.EventSink;
import dev.chatstream.core.Turn;
import dev.chatstream.core.Turns;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts each accepted request's {@link Turn} (the use case, its actions and its recording, on a thread of its
 * own) and builds the {@link Stream} that reads it: takes its slot, registers it for shutdown, and hands it what
 * it needs (the timers, the client watch, the metrics). Thread-safe; one per server.
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
    private final Turns turns;
    private final dev.chatstream.core.TurnDirectory directory;

    Streams(ChatStreamer streamer, Conversations conversations, ScheduledExecutorService timers, HttpConfig config,
            ServerMetrics metrics, OpenStreams openStreams, StreamSlots slots, ActionDispatcher actions,
            PeerWatch peers, Turns turns, dev.chatstream.core.TurnDirectory directory) {
        this.turns = turns;
        this.directory = directory;
        // another node asks this one to stop one of its turns: as the client's own Stop
        directory.onStop((user, turnId) -> turns.find(user, turnId).ifPresent(Turn::stop));
        // a node died mid-turn, and this one noticed it first: its turn is stored from what its log held
        directory.onLost(this::storeLost);
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
     * Starts the turn of an accepted, validated request (or finds the one this user started with the same
     * {@code idempotencyKey}), a resumable one in a new conversation when it names none, and opens the stream that reads it from its first event; the caller must
     * {@link Stream#close} it once its response is complete, whether or not it ran.
     *
     * @throws ApiException 429 when the user has too many open streams, 503 when the server is full or the store
     *                      cannot start the conversation
     */
    Stream open(ChatRequest request, boolean resumable, java.util.Optional<String> idempotencyKey, Stream.Call call,
            PeerWatch.Peer peer) {
        return open(request, resumable, OptIns.NONE, idempotencyKey, call, peer);
    }

    /** ... with the events the client opted into. */
    Stream open(ChatRequest request, boolean resumable, OptIns optIns, java.util.Optional<String> idempotencyKey,
            Stream.Call call, PeerWatch.Peer peer) {
        return open(request, resumable, idempotencyKey, true, optIns, call, peer,
                turn -> Wire.chatstream(turn.id(), call.requestId(), optIns));
    }

    /**
     * {@link #open(ChatRequest, boolean, java.util.Optional, Stream.Call, PeerWatch.Peer)} for any front door.
     *
     * @param stored whether the turn is kept in a conversation (not for a front door whose client holds the
     *               conversation, such as OpenAI's: every request would be a new conversation)
     * @param optIns the opt-in events ({@code phase}, {@code speech}) the turn's log keeps: only those its starter asked
     *               for (each event in the log has a number, and an old client's event ids must stay what they were)
     * @param wire   the stream's protocol, made once the turn is known
     */
    Stream open(ChatRequest request, boolean resumable, java.util.Optional<String> idempotencyKey, boolean stored,
            OptIns optIns, Stream.Call call, PeerWatch.Peer peer, java.util.function.Function<Turn, Wire> wire) {
        StreamSlots.Lease lease = slots.acquire(request.user());
        Turn turn;
        ChatRequest[] planned = new ChatRequest[1]; // what the turn runs, when this call started it
        FirstChunkTiming timing = new FirstChunkTiming(call.startNanos());
        try {
            turn = turns.start(request.user(), resumable, idempotencyKey, () -> {
                // A resumable turn knows its conversation from its start: a client that stops it or reloads continues
                // that conversation. That costs one more (synced) write before the first chunk, so a plain turn's new
                // conversation is still made when the turn is stored, as before.
                // a new message ends the reply still running in its conversation, and its history then has that one
                ChatRequest fresh = request.conversationId().isPresent()
                        && supersede(request.user(), request.conversationId().getAsLong())
                        ? conversations.resume(request) : request;
                ChatRequest begun = resumable && stored ? conversations.begin(fresh) : fresh;
                planned[0] = begun;
                return new Turns.Plan(begun.conversationId(), begun.message(), body(begun, stored, optIns, timing));
            });
        } catch (ChatException e) {
            lease.close();
            throw ApiException.of(e);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        if (planned[0] != null) {
            announce(turn, planned[0], stored);
        }
        Stream stream = new Stream(this, request.user(), turn, 0, call, peer, lease, wire);
        return register(planned[0] != null ? stream.timed(timing) : stream);
    }

    /**
     * With several nodes: notes that this node runs {@code turn} (before the client learns its id, so that a stop sent
     * at once through another node finds it: one Redis write), and that it ended, off the request's path.
     */
    private void announce(Turn turn, ChatRequest request, boolean stored) {
        if (!directory.shared() || turn.ended()) {
            return;
        }
        dev.chatstream.core.TurnDirectory.Running running = new dev.chatstream.core.TurnDirectory.Running(turn.id(),
                turn.user(), turn.conversationId(), request.message(), request.replaceFrom(), turn.resumable(), stored,
                turn.startedAt());
        directory.running(running);
        Thread.ofVirtual().name("turn-directory-" + turn.id()).start(() -> {
            try {
                while (!turn.awaitFinished(java.time.Duration.ofMinutes(10))) {
                    directory.running(running); // a very long turn: note it again
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                directory.ended(turn.id());
            }
        });
    }

    /**
     * Asks the node that runs {@code user}'s turn {@code turnId} to stop it, when another node runs it.
     *
     * @throws ApiException 503 when the directory of turns cannot be reached
     */
    boolean stopElsewhere(dev.chatstream.core.UserId user, String turnId) {
        try {
            return directory.stopElsewhere(user, turnId);
        } catch (ChatException e) {
            throw ApiException.of(e);
        }
    }

    /**
     * Opens a stream that reads {@code turn} from after {@code after}: a client back after a lost connection.
     *
     * @throws ApiException 429 when the user has too many open streams, 503 when the server is full
     */
    Stream resume(Turn turn, long after, Stream.Call call, PeerWatch.Peer peer) {
        return resume(turn, after, call, peer, OptIns.NONE);
    }

    /** ... with the events the client opted into. */
    Stream resume(Turn turn, long after, Stream.Call call, PeerWatch.Peer peer, OptIns optIns) {
        return resume(turn, after, call, peer, t -> Wire.chatstream(t.id(), call.requestId(), optIns));
    }

    /** {@link #resume(Turn, long, Stream.Call, PeerWatch.Peer)} in another front door's protocol. */
    Stream resume(Turn turn, long after, Stream.Call call, PeerWatch.Peer peer,
            java.util.function.Function<Turn, Wire> wire) {
        if (openStreams.closing()) { // a node that drains: its turns go on, and another node serves this resume
            throw new ApiException(503, "server_shutdown", OpenStreams.SHUTDOWN_MESSAGE, java.util.Map.of(
                    "Retry-After", "1"));
        }
        StreamSlots.Lease lease = slots.acquire(turn.user());
        return register(new Stream(this, turn.user(), turn, after, call, peer, lease, wire));
    }

    /** How long a new message waits for the reply it supersedes to end and be stored. */
    static final java.time.Duration SUPERSEDE_WAIT = java.time.Duration.ofSeconds(5);

    /**
     * When a new message's turn starts in conversation {@code conversationId} (not for a retry that finds its turn):
     * stops {@code user}'s reply still running there (a
     * new message ends the one before, as a Stop would, whether or not the client's own Stop reached the server
     * first) and waits, at most {@link #SUPERSEDE_WAIT}, until it is stored, so the new message's history has it.
     */
    private boolean supersede(dev.chatstream.core.UserId user, long conversationId) {
        java.util.Optional<Turn> running = turns.runningIn(user, conversationId);
        if (running.isEmpty()) {
            return false;
        }
        running.get().stop();
        try {
            running.get().awaitFinished(SUPERSEDE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /** {@code user}'s newest running turn in conversation {@code conversationId}. */
    java.util.Optional<Turn> runningIn(dev.chatstream.core.UserId user, long conversationId) {
        return turns.runningIn(user, conversationId);
    }

    /**
     * {@code user}'s turn {@code turnId}, while it is kept: this node's, or, with several nodes, another node's read
     * here from the shared copy of its log.
     *
     * @throws ApiException 503 when it is not this node's and the shared directory cannot be reached
     */
    java.util.Optional<Turn> turn(dev.chatstream.core.UserId user, String turnId) {
        java.util.Optional<Turn> here = turns.find(user, turnId);
        if (here.isPresent() || !directory.shared()) {
            return here;
        }
        try {
            return directory.follow(user, turnId).map(turns::follow);
        } catch (ChatException e) {
            throw ApiException.of(e);
        }
    }

    /** {@code user}'s turn {@code turnId} of this node, while it is kept. */
    java.util.Optional<Turn> localTurn(dev.chatstream.core.UserId user, String turnId) {
        return turns.find(user, turnId);
    }

    /** Stores the turn of a node that died from what its log held (the recording sees what its client saw). */
    private void storeLost(dev.chatstream.core.TurnDirectory.Running lost, java.util.List<dev.chatstream.core.ChatEvent> events) {
        if (!lost.stored()) {
            return;
        }
        ChatRequest request = ChatRequest.of(lost.user(), lost.message());
        if (lost.conversationId().isPresent()) {
            request = request.withConversationId(lost.conversationId().getAsLong());
        }
        if (lost.replaceFrom().isPresent()) {
            request = request.withReplaceFrom(lost.replaceFrom().getAsLong());
        }
        try {
            EventSink recording = conversations.recording(request, event -> true);
            events.forEach(recording::send);
        } catch (RuntimeException e) {
            System.getLogger(Streams.class.getName()).log(System.Logger.Level.WARNING, "The turn " + lost.turnId()
                    + " of a node that stopped could not be stored", e);
        }
    }

    private Stream register(Stream stream) {
        if (!openStreams.add(stream.cancellation())) { // shutdown began after the request was let in
            stream.turn().cancel(ErrorCode.SERVER_SHUTDOWN, OpenStreams.SHUTDOWN_MESSAGE);
            stream.cancellation().cancel(ErrorCode.SERVER_SHUTDOWN, OpenStreams.SHUTDOWN_MESSAGE);
        }
        return stream;
    }

    /** What a turn runs: the use case, its actions and its recording, within the server's longest reply. */
    private Turns.Body body(ChatRequest request, boolean stored, OptIns optIns, FirstChunkTiming timing) {
        return (log, cancellation) -> {
            timing.begun();
            EventSink logged = event -> {
                if (event instanceof dev.chatstream.core.ChatEvent.Chunk) {
                    timing.logged(); // just before it is appended: its readers may write it at once
                }
                return log.send(event);
            };
            EventSink wanted = event -> !optIns.wants(event) || logged.send(event);
            // speech segments are cut from the chunks as the client gets them, past the ACTION filter
            EventSink sink = optIns.speech() ? dev.chatstream.core.SpeechSegmenter.speaking(wanted) : wanted;
            ScheduledFuture<?> deadline = timers.schedule(() -> Thread.startVirtualThread(() -> cancellation.cancel(
                    ErrorCode.TIMEOUT, "The reply took longer than " + config.maxStreamDuration().toSeconds()
                            + " s, the server's limit; ask for a shorter answer, or raise limits.stream.seconds")),
                    config.maxStreamDuration().toNanos(), TimeUnit.NANOSECONDS);
            try {
                // the recording is nearest the client, so it keeps what the client saw: actions with their
                // tickets and results, as the dispatcher made them
                EventSink recorded = stored ? conversations.recording(request, sink) : sink;
                streamer.stream(request, config.actionsAuto() ? dispatching(request, recorded) : recorded,
                        cancellation);
            } finally {
                deadline.cancel(false);
            }
        };
    }

    /**
     * The dispatcher over {@code next}, but for calls of the client's own tools (a front door's client passed them
     * through, as Home Assistant passes {@code HassTurnOn}): those are the client's to run, so they go to it as they
     * are, and chatstream's executor never sees them.
     */
    private EventSink dispatching(ChatRequest request, EventSink next) {
        EventSink dispatching = actions.dispatching(request.user(), next);
        java.util.Set<String> clientTools = clientTools(request.options());
        if (clientTools.isEmpty()) {
            return dispatching;
        }
        return event -> event instanceof dev.chatstream.core.ChatEvent.ActionRequested a
                && clientTools.contains(a.action().tool()) ? next.send(event) : dispatching.send(event);
    }

    /** The names of the tools a front door's client defined ({@code tools[].function.name}). */
    static java.util.Set<String> clientTools(dev.chatstream.core.ChatOptions options) {
        if (!(options.passthrough().get("tools") instanceof java.util.List<?> tools)) {
            return java.util.Set.of();
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Object tool : tools) {
            if (tool instanceof java.util.Map<?, ?> t && t.get("function") instanceof java.util.Map<?, ?> f
                    && f.get("name") instanceof String name) {
                names.add(name);
            }
        }
        return names;
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

    Turns turns() {
        return turns;
    }

    PeerWatch peers() {
        return peers;
    }
}
