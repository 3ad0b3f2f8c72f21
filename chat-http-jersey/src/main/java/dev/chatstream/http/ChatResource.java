package dev.chatstream.http;

import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.ChatStreamer;
import dev.chatstream.core.Conversations;
import dev.chatstream.core.InvalidRequestException;
import dev.chatstream.core.UserId;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.time.Duration;
import java.util.Map;

/**
 * {@code POST /api/chat/stream/} and {@code GET /api/chat/stream/?message=...} (with or without the
 * trailing slash). Everything that can refuse a request (rate, size, type, JSON, validation, stream caps)
 * runs here, on Grizzly's worker, before any call to Ollama; then the worker is released and the stream
 * runs on a virtual thread of its own.
 */
@Path("/api/chat")
public final class ChatResource {
    static final int STREAM_BUFFER_BYTES = 1024;

    static final MediaType EVENT_STREAM = new MediaType("text", "event-stream");

    private final ChatStreamer streamer;
    private final Conversations conversations;
    private final Streams streams;
    private final HttpConfig config;
    private final RateLimiter rateLimiter;
    private final OpenStreams openStreams;
    private final ServerMetrics metrics;

    @Inject
    ChatResource(ChatStreamer streamer, Conversations conversations, Streams streams, HttpConfig config,
            RateLimiter rateLimiter, OpenStreams openStreams, ServerMetrics metrics) {
        this.streamer = streamer;
        this.conversations = conversations;
        this.streams = streams;
        this.config = config;
        this.rateLimiter = rateLimiter;
        this.openStreams = openStreams;
        this.metrics = metrics;
    }

    /** The JSON form: message, history, conversation_id, include_thinking. */
    @POST
    @Path("stream{slash: /?}")
    public void post(@Context ContainerRequestContext context, @Context org.glassfish.grizzly.http.server.Request raw,
            @Suspended AsyncResponse async) {
        accept(context, raw, async, () -> {
            // Content-Type was checked by AuthFilter, before Jersey touched the body.
            return ChatRequestReader.read(JsonBodies.bytes(context, config), AuthFilter.user(context));
        });
    }

    /**
     * The simple form for curl and plain links: {@code ?message=...}, optionally {@code include_thinking=true} and
     * {@code conversation_id=N} (continue a stored conversation).
     */
    @GET
    @Path("stream{slash: /?}")
    public void get(@Context ContainerRequestContext context, @QueryParam("message") String message,
            @QueryParam("include_thinking") String includeThinking, @QueryParam("conversation_id") String conversationId,
            @Context org.glassfish.grizzly.http.server.Request raw, @Suspended AsyncResponse async) {
        accept(context, raw, async, () -> {
            if (message == null) {
                throw ChatRequestReader.invalid("message is required (?message=...)");
            }
            boolean thinking = "true".equalsIgnoreCase(includeThinking);
            return ChatRequestReader.withConversationParam(ChatRequest.of(AuthFilter.user(context), message)
                    .withOptions(ChatOptions.defaults().withIncludeThinking(thinking)),
                    java.util.Optional.ofNullable(conversationId));
        });
    }

    private interface RequestSupplier {
        ChatRequest get();
    }

    private void accept(ContainerRequestContext context, org.glassfish.grizzly.http.server.Request raw,
            AsyncResponse async, RequestSupplier read) {
        long start = System.nanoTime();
        String requestId = RequestIds.of(context).orElseThrow(); // AuthFilter gives every /api request one
        UserId user = AuthFilter.user(context);
        try {
            admit(user);
            ChatRequest request = validated(read.get());
            Stream stream = streams.open(request, new Stream.Call(requestId, context.getMethod(),
                    context.getUriInfo().getPath(), start), PeerWatch.peerOf(raw.getContext().getConnection()));
            // The one place that knows the response is complete (or failed, or never ran): the stream is released
            // there, after its last bytes, never before.
            async.register((jakarta.ws.rs.container.CompletionCallback) failure -> stream.close());
            // Grizzly takes a fresh buffer of this size for every flush, i.e. every event: 8 KiB by default was
            // most of the server's garbage (docs/performance.md). An event is a few hundred bytes.
            raw.getResponse().setBufferSize(STREAM_BUFFER_BYTES);
            StreamingOutput output = stream::run;
            Response response = Response.ok(output, EVENT_STREAM)
                    .header("Cache-Control", "no-cache")
                    .header("X-Accel-Buffering", "no")
                    .build();
            Thread.ofVirtual().name("chat-stream-" + requestId).start(() -> async.resume(response));
        } catch (ApiException e) {
            metrics.error(e.code());
            context.setProperty(ResponseFilter.LOGGED, true);
            AccessLog.line(requestId, context.getMethod(), context.getUriInfo().getPath(), user.value(),
                    e.status(), Duration.ofNanos(System.nanoTime() - start), 0, e.code());
            async.resume(ErrorMappers.toResponse(e, java.util.Optional.of(requestId)));
        }
    }

    /** Refuses a request while shutting down (503) or over the user's rate (429, with when to try again). */
    private void admit(UserId user) {
        if (openStreams.closing()) {
            throw new ApiException(503, "server_shutdown", OpenStreams.SHUTDOWN_MESSAGE, Map.of("Retry-After", "5"));
        }
        Duration wait = rateLimiter.acquire(user);
        if (!wait.isZero()) {
            metrics.rateLimited();
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            throw new ApiException(429, "rate_limited", "Too many messages; wait " + seconds
                    + " s before sending another", Map.of("Retry-After", Long.toString(seconds)));
        }
    }

    /** The request as the use case accepts it (400 otherwise), continuing its stored conversation if it names one. */
    private ChatRequest validated(ChatRequest asked) {
        try {
            streamer.validate(asked);
        } catch (InvalidRequestException e) {
            throw ChatRequestReader.invalid(e.getMessage());
        }
        return resume(asked);
    }

    /** A request naming a conversation continues it from stored history: refused here (404, 503) if it cannot. */
    private ChatRequest resume(ChatRequest request) {
        try {
            return conversations.resume(request);
        } catch (ChatException e) {
            throw ApiException.of(e);
        }
    }

}
