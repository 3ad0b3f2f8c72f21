package dev.chatstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.SseCodec;
import dev.chatstream.core.SseReader;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.EventSink;
import dev.chatstream.core.Memory;
import dev.chatstream.core.MessageStatus;
import dev.chatstream.core.Role;
import dev.chatstream.core.StoredMessage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Chats through a chatstream server's HTTP API ({@code docs/api.md}): {@code POST /api/chat/stream/} with a
 * Bearer token, the SSE reply parsed as it arrives into the same events the core emits. Turns are resumable: a
 * connection that drops mid-reply is resumed from the last event's id ({@code GET /api/chat/turns/{id}/events}
 * with {@code Last-Event-ID}, up to {@link #RETRIES} times with backoff), so every event arrives once; stopping a
 * turn (Ctrl-C) calls {@code POST /api/chat/turns/{id}/stop}, then drops the connection. The token is sent only in
 * the Authorization header and never printed.
 */
public final class RemoteBackend implements Backend {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient client;

    /** A client of the server at {@code base} with the API token {@code token}; nothing is sent before a call. */
    public RemoteBackend(URI base, String token) {
        this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
        this.token = token;
        // HTTP/1.1: the JDK client's h2c upgrade attempt breaks SSE responses from Grizzly.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** How many times a dropped connection is resumed before the reply is given up. */
    static final int RETRIES = 6;

    @Override
    public void chat(String message, OptionalLong conversation, ChatOptions options, EventSink sink,
            Cancellation stop) {
        ObjectNode body = JSON.createObjectNode().put("message", message);
        conversation.ifPresent(id -> body.put("conversation_id", id));
        if (options.includeThinking()) {
            body.put("include_thinking", true);
        }
        body.put("resumable", true); // a dropped connection is resumed below; Ctrl-C stops the turn on the server
        body.put("phases", true); // "loading the model", "thinking" on the waiting line
        HttpRequest post = HttpRequest.newBuilder(base.resolve("api/chat/stream/"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build();
        Turn turn = new Turn(sink, stop);
        turn.conversation = conversation;
        try (Cancellation.Registration ignored = stop.onCancel(turn::stopOnServer)) {
            String broke = exchange(post, turn);
            for (int attempt = 1; broke != null && turn.id != null && attempt <= RETRIES && !stop.isCancelled();
                 attempt++) {
                try {
                    Thread.sleep(Math.min(8_000L, 250L << (attempt - 1)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stop.cancel(ErrorCode.CANCELLED, "interrupted");
                    break;
                }
                HttpRequest.Builder again = HttpRequest.newBuilder(base.resolve("api/chat/turns/" + turn.id
                        + "/events?phases=true")).header("Authorization", "Bearer " + token)
                        .header("Accept", "text/event-stream").GET();
                if (turn.lastId != null) {
                    again.header("Last-Event-ID", turn.lastId);
                }
                broke = exchange(again.build(), turn);
            }
            if (broke != null) {
                turn.end(new ChatEvent.Failed(ErrorCode.LLM_UNAVAILABLE, broke));
            }
        }
        turn.end(new ChatEvent.Failed(ErrorCode.LLM_UNAVAILABLE, "The reply from " + base + " was cut short"));
    }

    /**
     * One request of the turn: its events go to the turn's sink.
     *
     * @return null when the turn ended (its terminal event sent) or was stopped; else why the connection broke
     *         (resume from the last event)
     */
    private String exchange(HttpRequest request, Turn turn) {
        Stream stream = new Stream(turn);
        CompletableFuture<HttpResponse<String>> response = client.sendAsync(request, info -> {
            info.headers().firstValue("X-Turn-Id").ifPresent(id -> turn.id = id);
            info.headers().firstValue("X-Conversation-Id").filter(id -> id.matches("[0-9]{1,18}"))
                    .ifPresent(id -> turn.conversation = OptionalLong.of(Long.parseLong(id)));
            return info.statusCode() == 200 ? BodySubscribers.fromSubscriber(stream, s -> "")
                    : BodySubscribers.ofString(StandardCharsets.UTF_8);
        });
        turn.current = () -> {
            stream.cancel();
            response.cancel(true); // still connecting or waiting for headers
        };
        if (turn.stop.isCancelled()) {
            turn.current.run();
        }
        try {
            // A 200 response completes only with its body; a refusal completes with its JSON.
            CompletableFuture.anyOf(response, stream.ended).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            turn.stop.cancel(ErrorCode.CANCELLED, "interrupted");
        } catch (java.util.concurrent.CancellationException e) {
            // stopped before the stream began
        } catch (ExecutionException e) {
            if (turn.stop.isCancelled() || turn.terminal.get()) {
                return null;
            }
            if (turn.id == null) {
                throw unreachable(e.getCause()); // nothing started: nothing to resume
            }
            return "The connection to the chatstream server at " + base + " broke mid-reply ("
                    + e.getCause().getMessage() + ") and could not be resumed; try again";
        }
        if (turn.stop.isCancelled()) {
            turn.end(new ChatEvent.Failed(turn.stop.code() == null ? ErrorCode.CANCELLED : turn.stop.code(),
                    turn.stop.reason() == null ? "stopped" : turn.stop.reason()));
            return null;
        }
        if (response.isDone() && !response.isCancelled() && !response.isCompletedExceptionally()) {
            HttpResponse<String> answer = response.join();
            if (answer.statusCode() == 204) {
                return null; // we had everything
            }
            if (answer.statusCode() != 200) {
                if (turn.id != null && answer.statusCode() == 404) {
                    return "The reply was lost: the server no longer keeps turn " + turn.id + "; try again";
                }
                if (turn.conversation.isPresent() && answer.statusCode() == 404
                        && answer.body().contains("\"code\": \"conversation_not_found\"")) {
                    throw CliException.conversationNotFound(turn.conversation.getAsLong());
                }
                throw refusal(answer);
            }
        }
        return turn.terminal.get() ? null : stream.broke;
    }

    /** One turn across its requests: where it is, and whether its terminal event was sent. */
    private final class Turn {
        final EventSink sink;
        final Cancellation stop;
        final AtomicBoolean terminal = new AtomicBoolean();
        volatile String id;
        volatile String lastId;
        /** Known from the response's start, also for a new conversation: a stopped reply is continued in it. */
        volatile OptionalLong conversation = OptionalLong.empty();
        volatile Runnable current = () -> { };

        Turn(EventSink sink, Cancellation stop) {
            this.sink = sink;
            this.stop = stop;
        }

        /** Ctrl-C: the turn outlives this connection, so stop it on the server, then drop the connection. */
        void stopOnServer() {
            // first: the terminal event is the user's stop, not what the server sends back for it
            end(new ChatEvent.Failed(stop.code() == null ? ErrorCode.CANCELLED : stop.code(),
                    stop.reason() == null ? "stopped" : stop.reason()));
            String turnId = id;
            if (turnId != null) {
                try {
                    client.sendAsync(HttpRequest.newBuilder(base.resolve("api/chat/turns/" + turnId + "/stop"))
                            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5))
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding())
                            .get(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    // the server is gone too: dropping the connection below is all that is left
                }
            }
            current.run();
        }

        void end(ChatEvent.Failed failure) {
            if (terminal.compareAndSet(false, true)) {
                OptionalLong id = conversation;
                sink.send(id.isPresent() && failure.conversationId().isEmpty()
                        ? failure.withConversationId(id.getAsLong()) : failure);
            }
        }
    }

    /** One response's body, as it arrives: SSE bytes parsed into events for the turn's sink. */
    private final class Stream implements Flow.Subscriber<List<ByteBuffer>> {
        private final Turn turn;
        private final SseReader parser = new SseReader(this::event);
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        volatile String broke;
        private volatile Flow.Subscription subscription;
        private volatile boolean cancelled;

        Stream(Turn turn) {
            this.turn = turn;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (cancelled || turn.stop.isCancelled()) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer b : buffers) {
                parser.feed(b);
            }
            subscription.request(1); // after the terminal event too: the server then ends the body
        }

        @Override
        public void onError(Throwable error) {
            broke = "The connection to the chatstream server at " + base + " broke mid-reply (" + error.getMessage()
                    + ") and could not be resumed; try again";
            ended.complete(null);
        }

        @Override
        public void onComplete() {
            broke = "The chatstream server at " + base + " ended the reply without done or error (was it stopped?); "
                    + "try again";
            ended.complete(null);
        }

        void cancel() {
            cancelled = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            ended.complete(null);
        }

        private void event(String name, String id, String data) {
            if (turn.terminal.get()) {
                return;
            }
            if (!id.isEmpty()) {
                turn.lastId = id;
            }
            ChatEvent event;
            try {
                java.util.Optional<ChatEvent> known = SseCodec.decode(name, data);
                if (known.isEmpty()) {
                    return; // an event this client does not show
                }
                event = known.get();
            } catch (RuntimeException e) {
                subscription.cancel();
                turn.end(new ChatEvent.Failed(ErrorCode.LLM_PROTOCOL, "The server sent an event this client cannot "
                        + "read (" + name + "); is it a chatstream server of another version?"));
                ended.complete(null);
                return;
            }
            if (event.terminal()) {
                if (turn.terminal.compareAndSet(false, true)) {
                    turn.sink.send(event);
                }
                ended.complete(null);
            } else if (!turn.sink.send(event)) {
                turn.stop.cancel(ErrorCode.CANCELLED, "the terminal went away");
            }
        }
    }

    @Override
    public List<StoredMessage> messages(long conversationId) {
        JsonNode body = get("api/conversations/" + conversationId);
        List<StoredMessage> out = new ArrayList<>();
        for (JsonNode m : body.path("messages")) {
            out.add(new StoredMessage(m.path("id").asLong(), Role.fromWireName(m.path("role").asText())
                    .orElse(Role.ASSISTANT), m.path("content").asText(), MessageStatus.fromWireName(
                    m.path("status").asText("complete")), Instant.parse(m.path("created_at").asText())));
        }
        return out;
    }

    @Override
    public List<Memory> memories() {
        List<Memory> out = new ArrayList<>();
        for (JsonNode m : get("api/memories").path("memories")) {
            out.add(new Memory(m.path("id").asLong(), m.path("text").asText(),
                    Instant.parse(m.path("created_at").asText())));
        }
        return out;
    }

    @Override
    public ChatEvent.ActionResult decideAction(String id, boolean confirm) {
        if (!id.matches("[A-Za-z0-9_-]{1,100}")) {
            throw new CliException(ExitCode.USAGE, "An action id looks like act_Qm9yZGVy…, as the action's line shows");
        }
        JsonNode json = call(HttpRequest.newBuilder(base.resolve("api/actions/" + id + (confirm ? "/confirm"
                : "/cancel"))).POST(HttpRequest.BodyPublishers.noBody()));
        // The answer has the action_result event's shape (SseCodec.actionResult): one decoder for both.
        return (ChatEvent.ActionResult) SseCodec.decode("action_result", json.toString()).orElseThrow();
    }

    private JsonNode get(String path) {
        return call(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    /** One request with the token; its JSON answer, or the server's refusal as a {@link CliException}. */
    private JsonNode call(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = client.send(request.header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() != 200) {
                throw refusal(r);
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.INTERRUPTED, "Interrupted");
        }
    }

    private CliException refusal(HttpResponse<String> r) {
        String code = "http_" + r.statusCode();
        String message = "The server at " + base + " answered " + r.statusCode();
        try {
            JsonNode json = JSON.readTree(r.body());
            if (json.path("error").isTextual()) {
                message = json.path("error").asText();
                code = json.path("code").asText(code);
            }
        } catch (JsonProcessingException e) {
            // not one of our JSON errors (a proxy's page?): the status says enough
        }
        String retry = r.headers().firstValue("Retry-After").map(s -> " (retry after " + s + " s)").orElse("");
        return new CliException(ExitCode.ofWire(code), message + retry);
    }

    private CliException unreachable(Throwable cause) {
        String why = cause instanceof ConnectException ? "connection refused" : String.valueOf(cause.getMessage());
        return new CliException(ExitCode.UNAVAILABLE, "Cannot reach the chatstream server at " + base + " (" + why
                + "); is it running (chat serve) and is --server right?", cause);
    }

    @Override
    public boolean choosesModel() {
        return false;
    }

    @Override
    public String describe() {
        return "chatstream server at " + base;
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
