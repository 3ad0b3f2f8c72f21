package dev.chatstream.http;

import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.Conversations;
import dev.chatstream.core.InvalidRequestException;
import dev.chatstream.core.Json;
import dev.chatstream.core.UserId;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Map;

/**
 * {@code POST /api/chat/stream/} and {@code GET /api/chat/stream/?message=...} (with or without the
 * trailing slash), and a turn's own routes: {@code GET /api/chat/turns/{id}/events} (read it again from a point)
 * and {@code POST /api/chat/turns/{id}/stop}. Everything that can refuse a request (rate, size, type, JSON,
 * validation, stream caps) runs here, on Grizzly's worker, before any call to Ollama; then the worker is released,
 * the turn runs on a thread of its own and the response reads it on a virtual thread. A request that carries
 * {@code Last-Event-ID} never starts a turn: it resumes the one its id names (204 when it has everything).
 */
@Path("/api/chat")
public final class ChatResource {
    static final int STREAM_BUFFER_BYTES = 1024;

    static final MediaType EVENT_STREAM = new MediaType("text", "event-stream");

    private final Conversations conversations;
    private final Streams streams;
    private final HttpConfig config;
    private final ChatGate gate;
    private final OllamaResource ollama;

    @Inject
    ChatResource(Conversations conversations, Streams streams, HttpConfig config, ChatGate gate,
            OllamaResource ollama) {
        this.ollama = ollama;
        this.conversations = conversations;
        this.streams = streams;
        this.config = config;
        this.gate = gate;
    }

    /** Ollama's {@code POST /api/chat}, for Ollama's clients ({@link OllamaResource}). */
    @POST
    public void ollamaChat(@Context ContainerRequestContext context,
            @Context org.glassfish.grizzly.http.server.Request raw, @Suspended AsyncResponse async) {
        ollama.chat(context, raw, async);
    }

    /** The JSON form: message, history, conversation_id, include_thinking. */
    @POST
    @Path("stream{slash: /?}")
    public void post(@Context ContainerRequestContext context, @Context org.glassfish.grizzly.http.server.Request raw,
            @Suspended AsyncResponse async) {
        // Content-Type was checked by AuthFilter, before Jersey touched the body.
        accept(context, raw, async, () -> ChatRequestReader.read(JsonBodies.bytes(context, config),
                AuthFilter.user(context)));
    }

    /**
     * The simple form for curl and plain links: {@code ?message=...}, optionally {@code include_thinking=true} and
     * {@code conversation_id=N} (continue a stored conversation).
     */
    @GET
    @Path("stream{slash: /?}")
    public void get(@Context ContainerRequestContext context, @QueryParam("message") String message,
            @QueryParam("include_thinking") String includeThinking, @QueryParam("conversation_id") String conversationId,
            @QueryParam("resumable") String resumable,
            @Context org.glassfish.grizzly.http.server.Request raw, @Suspended AsyncResponse async) {
        accept(context, raw, async, () -> {
            if (message == null) {
                throw ChatRequestReader.invalid("message is required (?message=...)");
            }
            boolean thinking = "true".equalsIgnoreCase(includeThinking);
            return new ChatRequestReader.Read(ChatRequestReader.withConversationParam(
                    ChatRequest.of(AuthFilter.user(context), message)
                            .withOptions(ChatOptions.defaults().withIncludeThinking(thinking)),
                    java.util.Optional.ofNullable(conversationId)), "true".equalsIgnoreCase(resumable),
                    OptIns.ofQuery(context.getUriInfo().getQueryParameters()));
        });
    }

    /**
     * A turn's events after {@code ?after=<seq>} or {@code Last-Event-ID: <turn_id>:<seq>} (from the first without
     * either), then the live ones; 204 when the turn has ended and the client has everything; 404 for an unknown,
     * expired or another user's turn.
     */
    @GET
    @Path("turns/{turn: [A-Za-z0-9_-]{1,64}}/events")
    public void events(@Context ContainerRequestContext context, @PathParam("turn") String turnId,
            @QueryParam("after") String after, @Context org.glassfish.grizzly.http.server.Request raw,
            @Suspended AsyncResponse async) {
        long start = System.nanoTime();
        String requestId = RequestIds.of(context).orElseThrow();
        UserId user = AuthFilter.user(context);
        try {
            long seq;
            java.util.Optional<Cursor> cursor = Cursor.of(context.getHeaderString(LAST_EVENT_ID));
            if (cursor.isPresent()) {
                if (!cursor.get().turnId().equals(turnId)) {
                    throw new ApiException(400, "invalid_request", "Last-Event-ID names another turn than the path");
                }
                seq = cursor.get().seq();
            } else {
                seq = after == null ? 0 : Cursor.seq(after, "after");
            }
            resume(context, raw, async, new Cursor(turnId, seq), start, requestId, user);
        } catch (ApiException e) {
            gate.refused(context, async, e, start, requestId, user);
        }
    }

    /** Ends a turn at once for everyone reading it (their terminal event: {@code cancelled}); idempotent. */
    @POST
    @Path("turns/{turn: [A-Za-z0-9_-]{1,64}}/stop")
    @Produces("application/json")
    public String stop(@Context ContainerRequestContext context, @PathParam("turn") String turnId) {
        UserId user = AuthFilter.user(context);
        // this node's turn, else straight to the node that runs it (following its log would only cost round trips)
        java.util.Optional<dev.chatstream.core.Turn> turn = streams.localTurn(user, turnId);
        boolean stopped;
        if (turn.isPresent()) {
            stopped = turn.get().stop();
        } else if (streams.stopElsewhere(user, turnId)) {
            stopped = true; // another node runs it: it was asked to stop it, as here
        } else {
            throw notFound(turnId);
        }
        java.util.Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("turn_id", turnId);
        answer.put("stopped", stopped);
        return Json.write(answer);
    }

    static final String LAST_EVENT_ID = "Last-Event-ID";

    /** Where a client is in a turn: {@code <turn_id>:<seq>}, as the events' ids say. */
    record Cursor(String turnId, long seq) {
        static java.util.Optional<Cursor> of(String header) {
            if (header == null || header.isBlank()) {
                return java.util.Optional.empty();
            }
            String h = header.strip();
            int colon = h.lastIndexOf(':');
            if (colon <= 0 || !h.substring(0, colon).matches("[A-Za-z0-9_-]{1,64}")) {
                throw new ApiException(400, "invalid_request", "Last-Event-ID must be <turn_id>:<seq>, the id of an "
                        + "event this server sent");
            }
            return java.util.Optional.of(new Cursor(h.substring(0, colon), seq(h.substring(colon + 1),
                    "Last-Event-ID's seq")));
        }

        static long seq(String text, String what) {
            if (!text.matches("[0-9]{1,18}")) {
                throw new ApiException(400, "invalid_request", what + " must be a whole number of 0 or more");
            }
            return Long.parseLong(text);
        }
    }

    private static ApiException notFound(String turnId) {
        return new ApiException(404, "turn_not_found", "Turn " + turnId + " was not found (unknown, or no longer "
                + "kept); send the message again");
    }

    private interface RequestSupplier {
        ChatRequestReader.Read get();
    }

    private void accept(ContainerRequestContext context, org.glassfish.grizzly.http.server.Request raw,
            AsyncResponse async, RequestSupplier read) {
        long start = System.nanoTime();
        String requestId = RequestIds.of(context).orElseThrow(); // AuthFilter gives every /api request one
        UserId user = AuthFilter.user(context);
        try {
            java.util.Optional<Cursor> cursor = Cursor.of(context.getHeaderString(LAST_EVENT_ID));
            if (cursor.isPresent()) { // a reconnect (EventSource does it by itself): never a second turn
                resume(context, raw, async, cursor.get(), start, requestId, user);
                return;
            }
            gate.open();
            // Everything that can refuse the request comes first, so only a chat that starts uses up the rate.
            ChatRequestReader.Read asked = read.get();
            java.util.Optional<String> key = idempotencyKey(context);
            ChatRequest request = validated(asked.request());
            gate.rate(user);
            Stream stream = streams.open(request, asked.resumable(), asked.optIns(), key, new Stream.Call(requestId,
                    context.getMethod(), context.getUriInfo().getPath(), start),
                    PeerWatch.peerOf(raw.getContext().getConnection()));
            ChatGate.respond(raw, async, stream, requestId);
        } catch (ApiException e) {
            gate.refused(context, async, e, start, requestId, user);
        }
    }

    private void resume(ContainerRequestContext context, org.glassfish.grizzly.http.server.Request raw,
            AsyncResponse async, Cursor cursor, long start, String requestId, UserId user) {
        dev.chatstream.core.Turn turn = streams.turn(user, cursor.turnId()).orElseThrow(() -> notFound(cursor.turnId()));
        // (another node's turn that died can end before a cursor past it: its client then gets the end after it)
        if (turn.ended() && (turn.followed() ? cursor.seq() == turn.lastSeq() : cursor.seq() >= turn.lastSeq())) {
            // the client has everything: 204 is what tells an EventSource to stop reconnecting
            context.setProperty(ResponseFilter.LOGGED, true);
            AccessLog.line(requestId, context.getMethod(), context.getUriInfo().getPath(), user.value(), 204,
                    Duration.ofNanos(System.nanoTime() - start), 0, "ended");
            async.resume(ChatGate.withTurnHeaders(Response.noContent(), turn).build());
            return;
        }
        Stream stream = streams.resume(turn, cursor.seq(), new Stream.Call(requestId, context.getMethod(),
                context.getUriInfo().getPath(), start), PeerWatch.peerOf(raw.getContext().getConnection()),
                OptIns.ofQuery(context.getUriInfo().getQueryParameters()));
        ChatGate.respond(raw, async, stream, requestId);
    }

    /** {@code Idempotency-Key}: printable, at most 200 characters (400 otherwise). */
    static java.util.Optional<String> idempotencyKey(ContainerRequestContext context) {
        String key = context.getHeaderString("Idempotency-Key");
        if (key == null || key.isBlank()) {
            return java.util.Optional.empty();
        }
        if (key.length() > 200 || key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new ApiException(400, "invalid_request", "Idempotency-Key must be at most 200 printable characters "
                    + "without spaces, e.g. a UUID");
        }
        return java.util.Optional.of(key);
    }

    /** The request as the use case accepts it (400 otherwise), continuing its stored conversation if it names one. */
    private ChatRequest validated(ChatRequest asked) {
        gate.validate(asked, InvalidRequestException::getMessage);
        return resume(asked);
    }

    /**
     * A request naming a conversation continues it from stored history: refused here (404, 503) if it cannot (a reply
     * still running there is superseded when the turn starts, {@link Streams#open}).
     */
    private ChatRequest resume(ChatRequest request) {
        try {
            return conversations.resume(request);
        } catch (ChatException e) {
            throw ApiException.of(e);
        }
    }

}
