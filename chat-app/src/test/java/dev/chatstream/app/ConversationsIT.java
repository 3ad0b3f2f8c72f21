package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chatstream.ollama.FakeOllama.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Stored conversations over real HTTP: start, continue, isolation, partial replies, fifty at once. */
class ConversationsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ServerFixture f;

    @BeforeAll
    static void start() {
        f = new ServerFixture(env -> {
            env.put("CHATSTREAM_LIMITS_STREAMS_PER_USER", "100");
            env.put("CHATSTREAM_LIMITS_RATE_BURST", "200");
            env.put("CHATSTREAM_LIMITS_RATE_PER_MINUTE", "100000");
            return env;
        });
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(text, e);
        }
    }

    static long conversationIdOf(HttpResponse<String> stream) {
        SseEvents.Event done = SseEvents.parse(stream.body()).named("done");
        return json(done.data()).get("conversation_id").asLong();
    }

    static List<String> contents(ServerFixture f, String token, long id) {
        HttpResponse<String> r = f.send(f.get("api/conversations/" + id, token));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        json(r.body()).get("messages").forEach(m -> out.add(m.get("role").asText() + ":" + m.get("content").asText()
                + ":" + m.get("status").asText()));
        return out;
    }

    @Test
    void shouldStartAConversationAndContinueItFromStoredHistory() {
        f.ollama.enqueue(Reply.tokens("Que nome ", "bonito!"));
        long id = conversationIdOf(f.chat("O meu gato chama-se Tareco"));
        f.ollama.enqueue(Reply.tokens("Chama-se Tareco."));

        HttpResponse<String> second = f.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"Como se chama o meu gato?\", \"conversation_id\": " + id + "}"));

        assertThat(conversationIdOf(second)).isEqualTo(id);
        JsonNode sent = json(f.ollama.chatBodies().getLast()).get("messages");
        List<String> prompt = new ArrayList<>();
        sent.forEach(m -> prompt.add(m.get("role").asText() + ":" + m.get("content").asText()));
        assertThat(prompt.subList(prompt.size() - 3, prompt.size())).containsExactly(
                "user:O meu gato chama-se Tareco", "assistant:Que nome bonito!", "user:Como se chama o meu gato?");
        assertThat(contents(f, f.anaToken, id)).containsExactly(
                "user:O meu gato chama-se Tareco:complete", "assistant:Que nome bonito!:complete",
                "user:Como se chama o meu gato?:complete", "assistant:Chama-se Tareco.:complete");
        JsonNode listed = json(f.send(f.get("api/conversations", f.anaToken)).body()).get("conversations").get(0);
        assertThat(listed.get("id").asLong()).isEqualTo(id);
        assertThat(listed.get("title").asText()).isEqualTo("O meu gato chama-se Tareco");
    }

    @Test
    void shouldKeepAnOldClientThatSendsItsOwnHistoryWorking() {
        f.ollama.enqueue(Reply.tokens("Sim."));

        HttpResponse<String> r = f.send(f.post("api/chat/stream/", f.anaToken, "{\"message\": \"E amanhã?\", "
                + "\"history\": [{\"role\": \"user\", \"content\": \"Chove hoje?\"}, "
                + "{\"role\": \"assistant\", \"content\": \"Não.\"}]}"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(f.ollama.chatBodies().getLast()).contains("Chove hoje?", "Não.", "E amanhã?");
        assertThat(contents(f, f.anaToken, conversationIdOf(r)))
                .containsExactly("user:E amanhã?:complete", "assistant:Sim.:complete");
    }

    @Test
    void shouldAnswerAnotherUsersConversationExactlyLikeAMissingOne() {
        f.ollama.enqueue(Reply.tokens("Segredo guardado."));
        long anas = conversationIdOf(f.chat("O código do cofre é 1234"));

        HttpResponse<String> foreign = f.send(f.post("api/chat/stream/", f.ruiToken,
                "{\"message\": \"Qual é o código?\", \"conversation_id\": " + anas + "}"));
        HttpResponse<String> missing = f.send(f.post("api/chat/stream/", f.ruiToken,
                "{\"message\": \"Qual é o código?\", \"conversation_id\": 999999}"));

        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(withoutRequestId(foreign.body()).replace(Long.toString(anas), "N"))
                .isEqualTo(withoutRequestId(missing.body()).replace("999999", "N"))
                .isEqualTo("{\"error\": \"Conversation N was not found; leave out conversation_id to start a new one\", "
                        + "\"code\": \"conversation_not_found\"}");
        assertThat(f.send(f.get("api/conversations/" + anas, f.ruiToken)).statusCode()).isEqualTo(404);
        assertThat(f.send(f.delete("api/conversations/" + anas, f.ruiToken)).statusCode()).isEqualTo(404);
        assertThat(json(f.send(f.get("api/conversations", f.ruiToken)).body()).toString()).doesNotContain("cofre");
        assertThat(contents(f, f.anaToken, anas)).hasSize(2);
    }

    static String withoutRequestId(String body) {
        return body.replaceAll(", \"request_id\": \"[^\"]*\"", "");
    }

    @Test
    void shouldKeepWhatTheUserSawWhenTheyLeaveMidReply() throws Exception {
        f.ollama.enqueue(Reply.stream().paced(Duration.ofMillis(200)).token("Era ").token("uma ").token("vez ")
                .token("um ").token("gato ").token("que ").token("falava").done());
        long before = conversationCount(f.anaToken);
        try (RawClient client = RawClient.post(f, f.anaToken, "{\"message\": \"Conta uma história\"}")) {
            client.readUntil("uma ");
        }
        assertThat(f.ollama.awaitClientDisconnect(Duration.ofSeconds(10))).isTrue();

        JsonNode latest = awaitNewConversation(f.anaToken, before);
        List<String> stored = contents(f, f.anaToken, latest.get("id").asLong());
        assertThat(stored.getFirst()).isEqualTo("user:Conta uma história:complete");
        assertThat(stored.getLast()).startsWith("assistant:Era uma").endsWith(":cancelled");
    }

    @Test
    void shouldNameTheConversationOfAnUnfinishedTurnInTheErrorSoTheClientCanContinueIt() {
        f.ollama.enqueue(Reply.stream().token("Vou ver ").errorLine("model crashed"));
        HttpResponse<String> failed = f.chat("Que tempo faz?");
        JsonNode error = json(SseEvents.parse(failed.body()).named("error").data());
        long id = error.get("conversation_id").asLong();
        f.ollama.enqueue(Reply.tokens("Sol."));

        HttpResponse<String> next = f.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"E amanhã?\", \"conversation_id\": " + id + "}"));

        assertThat(error.get("code").asText()).isEqualTo("llm_failed");
        assertThat(conversationIdOf(next)).isEqualTo(id);
        assertThat(contents(f, f.anaToken, id)).containsExactly("user:Que tempo faz?:complete",
                "assistant:Vou ver:failed", "user:E amanhã?:complete", "assistant:Sol.:complete");
    }

    @Test
    void shouldContinueAConversationFromTheGetForm() {
        f.ollama.enqueue(Reply.tokens("Que nome bonito!")).enqueue(Reply.tokens("Tareco."));
        long id = conversationIdOf(f.chat("O meu gato chama-se Tareco"));

        HttpResponse<String> next = f.send(f.get("api/chat/stream/?message=Como%20se%20chama%3F&conversation_id=" + id,
                f.anaToken));
        HttpResponse<String> bad = f.send(f.get("api/chat/stream/?message=x&conversation_id=abc", f.anaToken));
        HttpResponse<String> foreign = f.send(f.get("api/chat/stream/?message=x&conversation_id=" + id, f.ruiToken));

        assertThat(conversationIdOf(next)).isEqualTo(id);
        assertThat(f.ollama.chatBodies().getLast()).contains("O meu gato chama-se Tareco", "Que nome bonito!");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("conversation_id must be a positive whole number");
        assertThat(foreign.statusCode()).isEqualTo(404);
    }

    @Test
    void shouldDeleteAConversation() {
        f.ollama.enqueue(Reply.tokens("ok"));
        long id = conversationIdOf(f.chat("apaga-me"));

        assertThat(f.send(f.delete("api/conversations/" + id, f.anaToken)).statusCode()).isEqualTo(204);

        assertThat(f.send(f.get("api/conversations/" + id, f.anaToken)).statusCode()).isEqualTo(404);
        assertThat(f.send(f.delete("api/conversations/" + id, f.anaToken)).statusCode()).isEqualTo(404);
    }

    /** Issue 27, item 5: rename; another user's conversation is answered like a missing one; a bad title is 400. */
    @Test
    void shouldRenameAConversationAndNothingElse() {
        f.ollama.enqueue(Reply.tokens("ok"));
        long id = conversationIdOf(f.chat("olá outra vez"));
        java.net.http.HttpRequest.Builder patch = java.net.http.HttpRequest.newBuilder(f.uri("api/conversations/" + id))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + f.anaToken)
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"title\": \"Férias\"}"));

        HttpResponse<String> renamed = f.send(patch);

        assertThat(renamed.statusCode()).as(renamed.body()).isEqualTo(200);
        assertThat(json(renamed.body()).get("title").asText()).isEqualTo("Férias");
        assertThat(json(f.send(f.get("api/conversations", f.anaToken)).body()).get("conversations").findValuesAsText(
                "title")).contains("Férias").doesNotContain("olá outra vez");
        assertThat(contents(f, f.anaToken, id)).hasSize(2);
        HttpResponse<String> foreign = f.send(java.net.http.HttpRequest.newBuilder(f.uri("api/conversations/" + id))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + f.ruiToken)
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"title\": \"meu\"}")));
        assertThat(foreign.statusCode()).isEqualTo(404);
        HttpResponse<String> blank = f.send(java.net.http.HttpRequest.newBuilder(f.uri("api/conversations/" + id))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + f.anaToken)
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"title\": \" \"}")));
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(json(blank.body()).get("error").asText()).startsWith("title is required");
    }

    /** Issue 27, item 5: regenerate the last reply, then edit the first message and send it again. */
    @Test
    void shouldRegenerateAReplyAndReplaceAnEditedMessageWithEverythingAfterIt() {
        f.ollama.enqueue(Reply.tokens("Que nome ", "bonito!"));
        long id = conversationIdOf(f.chat("O meu gato chama-se Tareco"));
        f.ollama.enqueue(Reply.tokens("Não sei."));
        f.send(f.post("api/chat/stream/", f.anaToken, "{\"message\": \"Quantos anos tem?\", \"conversation_id\": "
                + id + "}"));
        JsonNode stored = json(f.send(f.get("api/conversations/" + id, f.anaToken)).body()).get("messages");
        long second = stored.get(2).get("id").asLong();
        f.ollama.enqueue(Reply.tokens("Talvez ", "três."));

        HttpResponse<String> regenerated = f.send(f.post("api/chat/stream/", f.anaToken, "{\"message\": \"Quantos anos "
                + "tem?\", \"conversation_id\": " + id + ", \"replace_from\": " + second + "}"));

        assertThat(conversationIdOf(regenerated)).isEqualTo(id);
        JsonNode sent = json(f.ollama.chatBodies().getLast()).get("messages");
        assertThat(sent.get(sent.size() - 2).get("content").asText()).as("the old reply is not in the prompt")
                .isEqualTo("Que nome bonito!");
        assertThat(contents(f, f.anaToken, id)).containsExactly(
                "user:O meu gato chama-se Tareco:complete", "assistant:Que nome bonito!:complete",
                "user:Quantos anos tem?:complete", "assistant:Talvez três.:complete");

        long first = stored.get(0).get("id").asLong();
        f.ollama.enqueue(Reply.tokens("Olá, Tareco!"));
        f.send(f.post("api/chat/stream/", f.anaToken, "{\"message\": \"O meu gato chama-se Tareco e tem três anos\", "
                + "\"conversation_id\": " + id + ", \"replace_from\": " + first + "}"));
        assertThat(contents(f, f.anaToken, id)).containsExactly(
                "user:O meu gato chama-se Tareco e tem três anos:complete", "assistant:Olá, Tareco!:complete");

        HttpResponse<String> reply = f.send(f.post("api/chat/stream/", f.anaToken, "{\"message\": \"x\", "
                + "\"conversation_id\": " + id + ", \"replace_from\": " + (first + 1000) + "}"));
        assertThat(reply.statusCode()).isEqualTo(400);
        assertThat(json(reply.body()).get("error").asText()).isEqualTo("replace_from " + (first + 1000) + " is not a "
                + "message you wrote in conversation " + id + "; use the id of one of its user messages "
                + "(GET /api/conversations/" + id + ")");
        HttpResponse<String> noConversation = f.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"x\", \"replace_from\": " + first + "}"));
        assertThat(noConversation.statusCode()).isEqualTo(400);
        assertThat(contents(f, f.anaToken, id)).as("nothing changed by the refusals").hasSize(2);
    }

    @Test
    void shouldStoreEveryReplyWhenFiftyStreamsEndAtOnce() {
        int streams = 50;
        for (int i = 0; i < streams; i++) {
            f.ollama.enqueue(Reply.stream().token("parte um, ").pause(Duration.ofMillis(1500)).token("parte dois")
                    .done());
        }
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            HttpRequest request = f.post("api/chat/stream/", f.ruiToken, "{\"message\": \"pedido " + i + "\"}").build();
            responses.add(f.client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }

        List<Long> ids = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> r : responses) {
            HttpResponse<String> response = r.join();
            assertThat(SseEvents.parse(response.body()).last().name()).as(response.body()).isEqualTo("done");
            ids.add(conversationIdOf(response));
        }
        assertThat(ids).doesNotHaveDuplicates().hasSize(streams);
        for (long id : ids) {
            assertThat(contents(f, f.ruiToken, id)).hasSize(2).last()
                    .isEqualTo("assistant:parte um, parte dois:complete");
        }
    }

    private static long conversationCount(String token) {
        return json(f.send(f.get("api/conversations", token)).body()).get("conversations").size();
    }

    private static JsonNode awaitNewConversation(String token, long before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode list = json(f.send(f.get("api/conversations", token)).body()).get("conversations");
            if (list.size() > before) {
                return list.get(0);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the cancelled turn was not stored within 10 s");
    }
}
