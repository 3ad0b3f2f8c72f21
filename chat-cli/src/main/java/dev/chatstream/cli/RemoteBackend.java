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
 * Bearer token, the SSE reply parsed as it arrives into the same events the core emits. Stopping a turn
 * cancels the HTTP exchange, which closes the connection; the server then closes its upstream. The
 * token is sent only in the Authorization header and never printed.
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

    @Override
    public void chat(String message, OptionalLong conversation, ChatOptions options, EventSink sink,
            Cancellation stop) {
        ObjectNode body = JSON.createObjectNode().put("message", message);
        conversation.ifPresent(id -> body.put("conversation_id", id));
        if (options.includeThinking()) {
            body.put("include_thinking", true);
        }
        HttpRequest post = HttpRequest.newBuilder(base.resolve("api/chat/stream/"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build();
        Stream stream = new Stream(sink, stop);
        CompletableFuture<HttpResponse<String>> response = client.sendAsync(post, info -> info.statusCode() == 200
                ? BodySubscribers.fromSubscriber(stream, s -> "")
                : BodySubscribers.ofString(StandardCharsets.UTF_8));
        try (Cancellation.Registration ignored = stop.onCancel(() -> {
            stream.stop(); // first: its terminal event is the cancellation, not the broken exchange
            response.cancel(true); // still connecting or waiting for headers
        })) {
            // A 200 response completes only with its body; a refusal completes with its JSON.
            CompletableFuture.anyOf(response, stream.ended).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.cancel(ErrorCode.CANCELLED, "interrupted");
        } catch (java.util.concurrent.CancellationException e) {
            // stopped before the stream began: Stream.stop() sent the terminal event
        } catch (ExecutionException e) {
            if (stop.isCancelled() || stream.ended.isDone()) {
                return; // the stream already ended with its one terminal event
            }
            throw unreachable(e.getCause());
        }
        if (response.isDone() && !response.isCancelled() && !response.isCompletedExceptionally()) {
            HttpResponse<String> answer = response.join();
            if (answer.statusCode() != 200) {
                throw refusal(answer);
            }
        }
        stream.ensureTerminal();
    }

    /** The reply's body, as it arrives: SSE bytes parsed into events for the sink. */
    private final class Stream implements Flow.Subscriber<List<ByteBuffer>> {
        private final EventSink sink;
        private final Cancellation stop;
        private final SseReader parser = new SseReader((name, id, data) -> event(name, data));
        private final AtomicBoolean terminal = new AtomicBoolean();
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;

        Stream(EventSink sink, Cancellation stop) {
            this.sink = sink;
            this.stop = stop;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (stop.isCancelled()) {
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
            if (stop.isCancelled()) {
                stop();
                return;
            }
            end(new ChatEvent.Failed(ErrorCode.LLM_UNAVAILABLE, "The connection to the chatstream server at " + base
                    + " broke mid-reply (" + error.getMessage() + "); try again"));
        }

        @Override
        public void onComplete() {
            end(new ChatEvent.Failed(ErrorCode.LLM_UNAVAILABLE, "The chatstream server at " + base
                    + " ended the reply without done or error (was it stopped?); try again"));
        }

        /** The user stopped the turn: close the connection (the server then stops Ollama) and say so. */
        void stop() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            end(new ChatEvent.Failed(stop.code() == null ? ErrorCode.CANCELLED : stop.code(),
                    stop.reason() == null ? "stopped" : stop.reason()));
        }

        void ensureTerminal() {
            end(new ChatEvent.Failed(ErrorCode.LLM_UNAVAILABLE, "The reply from " + base + " was cut short"));
        }

        private void end(ChatEvent.Failed failure) {
            if (terminal.compareAndSet(false, true)) {
                sink.send(failure);
            }
            ended.complete(null);
        }

        private void event(String name, String data) {
            if (terminal.get()) {
                return;
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
                end(new ChatEvent.Failed(ErrorCode.LLM_PROTOCOL, "The server sent an event this client cannot read ("
                        + name + "); is it a chatstream server of another version?"));
                return;
            }
            if (event.terminal()) {
                if (terminal.compareAndSet(false, true)) {
                    sink.send(event);
                }
                ended.complete(null);
            } else if (!sink.send(event)) {
                stop.cancel(ErrorCode.CANCELLED, "the terminal went away");
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
