package dev.chatstream.app;

import dev.chatstream.core.ChatEvent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama.Reply;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 19: a reply outlives the connection that asked for it. Real server, real HTTP; the fake Ollama records
 * every request and every disconnect.
 */
class ResumeIT {
    private ServerFixture f = new ServerFixture(env -> {
        env.put("CHATSTREAM_RESUME_GRACE_SECONDS", "1");
        return env;
    });

    @AfterEach
    void stop() {
        f.close();
    }

    private HttpRequest.Builder events(String turn, String token) {
        return f.get("api/chat/turns/" + turn + "/events", token);
    }

    /** Every event id is {@code <turn>:<seq>}, seq from 1. */
    static List<String> frames(String body) {
        List<String> out = new ArrayList<>();
        for (String frame : body.split("\n\n")) {
            if (frame.contains("id: ") && frame.contains("data: ")) { // events, not comments
                out.add(frame.replaceAll("\"request_id\": \"[^\"]+\"", "\"request_id\": \"R\""));
            }
        }
        return out;
    }

    @Test
    void shouldResumeAfterEveryCursorWithEveryEventExactlyOnceThenSay204() {
        f.ollama.enqueue(Reply.tokens("Era ", "uma ", "vez ", "um ", "gato."));
        HttpResponse<String> first = f.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"Conta\", \"resumable\": true}"));
        String turn = first.headers().firstValue("X-Turn-Id").orElseThrow();
        List<String> whole = frames(first.body());
        assertThat(whole).hasSize(7); // five chunks, final_text, done
        for (int i = 0; i < whole.size(); i++) {
            assertThat(whole.get(i)).contains("id: " + turn + ":" + (i + 1) + "\n");
        }

        for (int seq = 0; seq < whole.size(); seq++) {
            HttpResponse<String> rest = f.send(events(turn, f.anaToken).uri(f.uri("api/chat/turns/" + turn
                    + "/events?after=" + seq)));
            List<String> joined = new ArrayList<>(whole.subList(0, seq));
            joined.addAll(frames(rest.body()));
            assertThat(joined).as("after %d", seq).isEqualTo(whole);
        }
        HttpResponse<String> done = f.send(events(turn, f.anaToken).header("Last-Event-ID", turn + ":" + whole.size()));
        assertThat(done.statusCode()).as("the client has everything").isEqualTo(204);
        assertThat(f.ollama.chatBodies()).hasSize(1);
    }

    /** A WHATWG EventSource reconnects by itself after the stream ends: that must never start the turn again. */
    @Test
    void shouldAnswerAnEventSourceReconnectWith204AndNeverRunTheModelAgain() {
        f.ollama.enqueue(Reply.tokens("Olá!"));
        HttpResponse<String> first = f.send(f.get("api/chat/stream/?message=Ol%C3%A1", f.anaToken));
        String turn = first.headers().firstValue("X-Turn-Id").orElseThrow();
        String lastId = SseEvents.parse(first.body()).last().id();

        HttpResponse<String> reconnect = f.send(f.get("api/chat/stream/?message=Ol%C3%A1", f.anaToken)
                .header("Last-Event-ID", lastId));

        assertThat(lastId).startsWith(turn + ":");
        assertThat(reconnect.statusCode()).isEqualTo(204);
        assertThat(f.ollama.chatBodies()).as("Ollama saw exactly one request").hasSize(1);
        assertThat(f.send(f.get("api/chat/stream/?message=x", f.anaToken).header("Last-Event-ID", "nope:3"))
                .statusCode()).as("an unknown turn").isEqualTo(404);
        assertThat(f.send(events(turn, f.ruiToken)).statusCode()).as("another user's turn: the same 404")
                .isEqualTo(404);
        assertThat(f.ollama.chatBodies()).hasSize(1);
    }

    @Test
    void shouldStopForEveryAttachedClientAndCloseOllamasRequest() throws Exception {
        Reply slow = Reply.stream();
        for (int i = 0; i < 200; i++) {
            slow = slow.token("palavra ").pause(Duration.ofMillis(50));
        }
        f.ollama.enqueue(slow.done());
        HttpResponse<InputStream> first = f.client.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"Conta devagar\", \"resumable\": true}").build(), HttpResponse.BodyHandlers.ofInputStream());
        String turn = first.headers().firstValue("X-Turn-Id").orElseThrow();
        CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> readAll(first.body()));
        CompletableFuture<HttpResponse<String>> b = f.client.sendAsync(events(turn, f.anaToken).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(f.ollama.awaitChatRequests(1, Duration.ofSeconds(30))).isTrue();

        HttpResponse<String> stopped = f.send(f.post("api/chat/turns/" + turn + "/stop", f.anaToken, ""));

        assertThat(stopped.statusCode()).isEqualTo(200);
        assertThat(stopped.body()).isEqualTo("{\"turn_id\": \"" + turn + "\", \"stopped\": true}");
        for (String body : List.of(a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS).body())) {
            SseEvents.Event last = SseEvents.parse(body).last();
            assertThat(last.name()).isEqualTo("error");
            assertThat(ConversationsIT.json(last.data()).get("code").asText()).isEqualTo("cancelled");
        }
        assertThat(f.ollama.awaitClientDisconnect(Duration.ofSeconds(30))).as("Ollama's request closed").isTrue();
        assertThat(f.send(f.post("api/chat/turns/" + turn + "/stop", f.anaToken, "")).body())
                .as("idempotent").contains("\"stopped\": false");
        assertThat(f.send(f.post("api/chat/turns/" + turn + "/stop", f.ruiToken, "")).statusCode()).isEqualTo(404);
    }

    /** Nobody comes back within resume.grace.seconds (1 s here): Ollama's request is closed, the turn stored. */
    @Test
    void shouldStopAnAbandonedResumableTurnAfterTheGraceAndStoreWhatItMade() throws Exception {
        Reply slow = Reply.stream().token("Era ").token("uma ");
        for (int i = 0; i < 600; i++) {
            slow = slow.token("vez ").pause(Duration.ofMillis(50));
        }
        f.ollama.enqueue(slow.done());
        try (RawClient client = RawClient.post(f, f.anaToken, "{\"message\": \"Conta\", \"resumable\": true}")) {
            client.readUntil("Era ");
        } // the connection drops

        assertThat(f.ollama.awaitClientDisconnect(Duration.ofSeconds(30))).as("closed after the grace").isTrue();
        long id = awaitConversation();
        List<String> stored = ConversationsIT.contents(f, f.anaToken, id);
        assertThat(stored.getLast()).startsWith("assistant:Era uma vez").endsWith(":cancelled");
    }

    @Test
    void shouldGiveARetriedSendWithTheSameIdempotencyKeyTheSameTurn() throws Exception {
        f.ollama.enqueue(Reply.stream().token("Olá").pause(Duration.ofMillis(300)).token("!").done());
        HttpRequest.Builder send = f.post("api/chat/stream/", f.anaToken, "{\"message\": \"Olá\", \"resumable\": true}")
                .header("Idempotency-Key", "3f2b9c1e-retry");
        CompletableFuture<HttpResponse<String>> one = f.client.sendAsync(send.build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        CompletableFuture<HttpResponse<String>> two = f.client.sendAsync(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"Olá\", \"resumable\": true}").header("Idempotency-Key", "3f2b9c1e-retry").build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));

        String t1 = one.get(30, TimeUnit.SECONDS).headers().firstValue("X-Turn-Id").orElseThrow();
        String t2 = two.get(30, TimeUnit.SECONDS).headers().firstValue("X-Turn-Id").orElseThrow();

        assertThat(t2).isEqualTo(t1);
        assertThat(f.ollama.chatBodies()).as("one Ollama request").hasSize(1);
        assertThat(two.get().headers().firstValue("X-Conversation-Id"))
                .isEqualTo(one.get().headers().firstValue("X-Conversation-Id")).isPresent();
        assertThat(ConversationsIT.json(f.send(f.get("api/conversations", f.anaToken)).body()).get("conversations"))
                .as("one conversation").hasSize(1);
        assertThat(frames(two.get().body())).isEqualTo(frames(one.get().body()));
    }

    /**
     * A turn knows its conversation from its start (X-Conversation-Id, also for a new one), and while it runs the
     * conversation names it (running_turn) so a reloaded page can attach; once stored, it is only in the messages.
     */
    @Test
    void shouldNameTheRunningTurnInItsConversationUntilItIsStored() throws Exception {
        Reply slow = Reply.stream().token("Era ");
        for (int i = 0; i < 40; i++) {
            slow = slow.token("vez ").pause(Duration.ofMillis(50));
        }
        f.ollama.enqueue(slow.done());
        HttpResponse<InputStream> started = f.client.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"Conta uma história\", \"resumable\": true}").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        String turn = started.headers().firstValue("X-Turn-Id").orElseThrow();
        long id = Long.parseLong(started.headers().firstValue("X-Conversation-Id").orElseThrow());

        var running = ConversationsIT.json(f.send(f.get("api/conversations/" + id, f.anaToken)).body());
        assertThat(running.get("messages")).isEmpty();
        assertThat(running.get("running_turn").get("turn_id").asText()).isEqualTo(turn);
        assertThat(running.get("running_turn").get("message").asText()).isEqualTo("Conta uma história");
        assertThat(ConversationsIT.json(f.send(f.get("api/conversations", f.anaToken)).body()).get("conversations")
                .get(0).get("title").asText()).as("listed from its start").isEqualTo("Conta uma história");
        assertThat(f.send(f.get("api/conversations/" + id, f.ruiToken)).statusCode()).isEqualTo(404);

        String body = readAll(started.body());
        assertThat(SseEvents.parse(body).named("done").event()).isInstanceOfSatisfying(ChatEvent.Done.class,
                d -> assertThat(d.conversationId()).hasValue(id));
        var stored = ConversationsIT.json(f.send(f.get("api/conversations/" + id, f.anaToken)).body());
        assertThat(stored.has("running_turn")).isFalse();
        assertThat(ConversationsIT.contents(f, f.anaToken, id)).hasSize(2);
        HttpResponse<String> again = f.send(events(turn, f.anaToken).header("Last-Event-ID", turn + ":0"));
        assertThat(again.headers().firstValue("X-Conversation-Id")).contains(Long.toString(id));

        f.ollama.enqueue(Reply.tokens("Olá!"));
        HttpResponse<String> plain = f.chat("Olá");
        assertThat(plain.headers().firstValue("X-Conversation-Id")).as("a plain turn's conversation is made when it "
                + "is stored, as before").isEmpty();
        assertThat(SseEvents.parse(plain.body()).named("done").event()).isInstanceOfSatisfying(ChatEvent.Done.class,
                d -> assertThat(d.conversationId()).isPresent().isNotEqualTo(java.util.OptionalLong.of(id)));
    }

    /**
     * A new message in a conversation whose reply still runs (the client's Stop not arrived yet, or none sent): that
     * reply ends as stopped (as a Stop would: shouldStopForEveryAttachedClientAndCloseOllamasRequest shows Ollama's
     * request closed then), is stored, and the new message's history has it.
     */
    @Test
    void shouldEndTheRunningReplyOfAConversationWhenANewMessageComesAndGiveItsHistory() throws Exception {
        Reply slow = Reply.stream().token("Era ");
        for (int i = 0; i < 200; i++) {
            slow = slow.token("vez ").pause(Duration.ofMillis(50));
        }
        f.ollama.enqueue(slow.done()).enqueue(Reply.tokens("E acabou."));
        HttpResponse<InputStream> first = f.client.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"Conta uma história\", \"resumable\": true}").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long id = Long.parseLong(first.headers().firstValue("X-Conversation-Id").orElseThrow());
        CompletableFuture<String> firstBody = CompletableFuture.supplyAsync(() -> readAll(first.body()),
                java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        assertThat(f.ollama.awaitChatRequests(1, Duration.ofSeconds(10))).isTrue();

        HttpResponse<String> next = f.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"continua\", \"conversation_id\": " + id + "}"));

        assertThat(SseEvents.parse(firstBody.get(30, TimeUnit.SECONDS)).last().data()).contains("\"code\": "
                + "\"cancelled\"");
        assertThat(SseEvents.parse(next.body()).named("final_text").data()).contains("E acabou.");
        var sent = ConversationsIT.json(f.ollama.chatBodies().get(1)).get("messages");
        assertThat(sent.get(1).get("content").asText()).isEqualTo("Conta uma história");
        assertThat(sent.get(2).get("content").asText()).startsWith("Era");
        assertThat(ConversationsIT.contents(f, f.anaToken, id)).hasSize(4);
    }

    /** Ten readers attached at once, one of them while the model still loads, each get the whole turn. */
    @Test
    void shouldGiveTenReadersAttachedAtOnceEveryEventEvenDuringAModelLoad() throws Exception {
        f.close();
        f = new ServerFixture(env -> {
            env.put("CHATSTREAM_HEARTBEAT_SECONDS", "1");
            env.put("CHATSTREAM_LIMITS_STREAMS_PER_USER", "16"); // each reader is an open stream of ana's
            return env;
        });
        Reply loading = Reply.stream().headersFirst().pause(Duration.ofMillis(4_000));
        for (int i = 0; i < 20; i++) {
            loading = loading.token("p" + i + " ").pause(Duration.ofMillis(20));
        }
        f.ollama.enqueue(loading.done());
        HttpResponse<InputStream> first = f.client.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"Olá\", \"resumable\": true}").build(), HttpResponse.BodyHandlers.ofInputStream());
        String turn = first.headers().firstValue("X-Turn-Id").orElseThrow();
        List<CompletableFuture<HttpResponse<String>>> readers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            readers.add(f.client.sendAsync(events(turn, f.anaToken).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
        }
        List<String> whole = frames(readAll(first.body()));

        assertThat(whole).hasSize(22); // twenty chunks, final_text, done
        for (CompletableFuture<HttpResponse<String>> r : readers) {
            HttpResponse<String> got = r.get(30, TimeUnit.SECONDS);
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(frames(got.body())).isEqualTo(whole);
        }
        assertThat(SseEvents.parse(readers.getFirst().get().body()).comments()).as("pings while the model loads")
                .contains("ping");
        assertThat(f.ollama.chatBodies()).hasSize(1);
    }

    /** The newest conversation once its turn is stored (it is listed, empty, from the turn's start). */
    private long awaitConversation() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var list = ConversationsIT.json(f.send(f.get("api/conversations", f.anaToken)).body()).get("conversations");
            if (list.size() > 0) {
                long id = list.get(0).get("id").asLong();
                if (!ConversationsIT.contents(f, f.anaToken, id).isEmpty()) {
                    return id;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no conversation was stored");
    }

    private static String readAll(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            StringBuilder sb = new StringBuilder();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                sb.append(line).append('\n');
            }
            return sb.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
