package dev.chatstream.http;

import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.ChatStreamer;
import dev.chatstream.core.InvalidRequestException;
import dev.chatstream.core.UserId;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * What every front door that starts a chat turn goes through, in this order, before any call to the LLM: the server
 * is not shutting down, the request is valid, the user is within the chat rate; then the turn's response on a virtual
 * thread of its own. A refusal is logged and counted here, once. chatstream's own door ({@link ChatResource}) and
 * OpenAI's ({@link OpenAiResource}) share it, so their limits and metrics are the same.
 */
final class ChatGate {
    private final ChatStreamer streamer;
    private final RateLimiter rateLimiter;
    private final OpenStreams openStreams;
    private final ServerMetrics metrics;
    private final Streams streams;
    private final HttpConfig config;

    @Inject
    ChatGate(ChatStreamer streamer, RateLimiter rateLimiter, OpenStreams openStreams, ServerMetrics metrics,
            Streams streams, HttpConfig config) {
        this.streams = streams;
        this.config = config;
        this.streamer = streamer;
        this.rateLimiter = rateLimiter;
        this.openStreams = openStreams;
        this.metrics = metrics;
    }

    /**
     * What a front door made of its request: the turn to start and how to answer it.
     *
     * @param request   the turn, before the use case's validation
     * @param say       the use case's refusal in the door's client's terms (it names their fields)
     * @param resumable whether the turn runs on without a reader (for the door's resume)
     * @param wire      the stream's protocol, once the turn is known
     * @param type      the stream's media type
     * @param headers   the protocol's own response headers
     * @param whole     for a request that wants one answer, not a stream: the answer the turn's events make
     */
    record Door(ChatRequest request, Function<InvalidRequestException, String> say, boolean resumable,
            Function<dev.chatstream.core.Turn, Wire> wire, jakarta.ws.rs.core.MediaType type,
            Map<String, String> headers,
            java.util.Optional<java.util.function.BiFunction<dev.chatstream.core.Turn,
                    java.util.List<dev.chatstream.core.ChatEvent>, Answer>> whole) {
    }

    /** A front door's reading of its request body (400 when it cannot). */
    interface Reader {
        Door read(byte[] body, UserId user);
    }

    /**
     * A whole answer (not a stream), in a door's protocol.
     *
     * @param retryAfter when to try again ({@code Retry-After}); zero when not known
     */
    record Answer(int status, String body, Duration retryAfter) {
        Response response() {
            Response.ResponseBuilder r = Response.status(status)
                    .type(jakarta.ws.rs.core.MediaType.APPLICATION_JSON_TYPE.withCharset("UTF-8")).entity(body);
            if (!retryAfter.isZero()) {
                r.header("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())));
            }
            return r.build();
        }
    }

    /**
     * A front door's request, from its body to its answer: refused here (shutdown, the body, validation, the rate:
     * each once logged and counted) or started as a turn that is not stored (the door's client holds the
     * conversation) and answered with its stream, or with one answer once it ended.
     *
     * @return the turn's stream, or empty when the request was refused
     */
    java.util.Optional<Stream> start(ContainerRequestContext context, org.glassfish.grizzly.http.server.Request raw,
            AsyncResponse async, Reader reader) {
        long start = System.nanoTime();
        String requestId = RequestIds.of(context).orElseThrow();
        UserId user = AuthFilter.user(context);
        try {
            open();
            Door door = reader.read(JsonBodies.bytes(context, config), user);
            java.util.Optional<String> key = ChatResource.idempotencyKey(context);
            validate(door.request(), door.say());
            rate(user);
            Stream stream = streams.open(door.request(), door.resumable(), key, false, OptIns.NONE, new Stream.Call(requestId,
                    context.getMethod(), context.getUriInfo().getPath(), start),
                    PeerWatch.peerOf(raw.getContext().getConnection()), door.wire());
            if (door.whole().isPresent()) {
                var whole = door.whole().get();
                respondWhole(async, stream, requestId, events -> whole.apply(stream.turn(), events).response());
            } else {
                respond(raw, async, stream, requestId, door.type(), door.headers());
            }
            return java.util.Optional.of(stream);
        } catch (ApiException e) {
            refused(context, async, e, start, requestId, user);
            return java.util.Optional.empty();
        }
    }

    /** Refuses every new turn once shutdown began (503, try again in 5 s: another node, or this one restarted). */
    void open() {
        if (openStreams.closing()) {
            throw new ApiException(503, "server_shutdown", OpenStreams.SHUTDOWN_MESSAGE, Map.of("Retry-After", "5"));
        }
    }

    /**
     * Refuses a request the use case would refuse (400), with its message as {@code say} words it for the door's
     * client.
     */
    void validate(ChatRequest request, Function<InvalidRequestException, String> say) {
        try {
            streamer.validate(request);
        } catch (InvalidRequestException e) {
            throw JsonBodies.invalid(say.apply(e));
        }
    }

    /** Refuses a request over the user's rate (429, with when to try again); takes one from the user's bucket. */
    void rate(UserId user) {
        Duration wait = rateLimiter.acquire(user);
        if (!wait.isZero()) {
            metrics.rateLimited();
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            throw new ApiException(429, "rate_limited", "Too many messages; wait " + seconds
                    + " s before sending another", Map.of("Retry-After", Long.toString(seconds)));
        }
    }

    /** Answers {@code e}, with its access-log line and its count. */
    void refused(ContainerRequestContext context, AsyncResponse async, ApiException e, long start, String requestId,
            UserId user) {
        metrics.error(e.code());
        context.setProperty(ResponseFilter.LOGGED, true);
        AccessLog.line(requestId, context.getMethod(), context.getUriInfo().getPath(), user.value(),
                e.status(), Duration.ofNanos(System.nanoTime() - start), 0, e.code());
        async.resume(ErrorMappers.toResponse(e, java.util.Optional.of(requestId)));
    }

    /**
     * Answers with {@code stream}'s events as an event stream, from a virtual thread (the worker is free at once),
     * and releases the stream once the response is complete (its last bytes, or the connection gone), never before.
     */
    static void respond(org.glassfish.grizzly.http.server.Request raw, AsyncResponse async, Stream stream,
            String requestId) {
        respond(raw, async, stream, requestId, ChatResource.EVENT_STREAM);
    }

    /** {@link #respond(org.glassfish.grizzly.http.server.Request, AsyncResponse, Stream, String)} as {@code type}. */
    static void respond(org.glassfish.grizzly.http.server.Request raw, AsyncResponse async, Stream stream,
            String requestId, jakarta.ws.rs.core.MediaType type) {
        respond(raw, async, stream, requestId, type, Map.of());
    }

    /** ... with these headers too (a protocol's own, such as the AI SDK's {@code x-vercel-ai-ui-message-stream}). */
    static void respond(org.glassfish.grizzly.http.server.Request raw, AsyncResponse async, Stream stream,
            String requestId, jakarta.ws.rs.core.MediaType type, Map<String, String> headers) {
        async.register((jakarta.ws.rs.container.CompletionCallback) failure -> stream.close());
        // Grizzly takes a fresh buffer of this size for every flush, i.e. every event: 8 KiB by default was
        // most of the server's garbage (docs/performance.md). An event is a few hundred bytes.
        raw.getResponse().setBufferSize(ChatResource.STREAM_BUFFER_BYTES);
        StreamingOutput output = stream::run;
        Response.ResponseBuilder builder = withTurnHeaders(Response.ok(output, type)
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no"), stream.turn());
        headers.forEach(builder::header);
        Response response = builder.build();
        Thread.ofVirtual().name("chat-stream-" + requestId).start(() -> async.resume(response));
    }

    /**
     * Answers with what {@code answer} makes of the whole turn, once it ended ({@link Stream#collect}), from a virtual
     * thread, and releases the stream once that answer is written.
     */
    static void respondWhole(AsyncResponse async, Stream stream, String requestId,
            Function<java.util.List<dev.chatstream.core.ChatEvent>, Response> answer) {
        async.register((jakarta.ws.rs.container.CompletionCallback) failure -> stream.close());
        Thread.ofVirtual().name("chat-answer-" + requestId).start(() -> {
            Response response = answer.apply(stream.collect());
            stream.status(response.getStatus());
            async.resume(withTurnHeaders(Response.fromResponse(response), stream.turn()).build());
        });
    }

    /** {@code X-Turn-Id}, and {@code X-Conversation-Id} when the turn's conversation is known (from its start). */
    static Response.ResponseBuilder withTurnHeaders(Response.ResponseBuilder response, dev.chatstream.core.Turn turn) {
        response.header("X-Turn-Id", turn.id());
        turn.conversationId().ifPresent(id -> response.header("X-Conversation-Id", Long.toString(id)));
        return response;
    }
}
