package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.ollama.FakeOllama.Reply;
import dev.chatstream.redis.RedisServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: two real server nodes on one real PostgreSQL database and one real redis-server (Debian's package), as
 * docs/scale-out.md sets them up: one user's burst and stream cap hold across both, not once per node; with Redis
 * stopped, chats go on with per-node limits and {@code /api/ready} says {@code degraded}, and once Redis is back the
 * limits are shared again; a home changed through one node is in the other's next prompt.
 */
class SeveralNodesIT {
    private final RedisServer redis = RedisServer.start();
    private final dev.chatstream.store.StoreConfig database = dev.chatstream.store.TestPostgres.shared().newDatabase();
    private ServerFixture a;
    private ServerFixture b;

    private dev.chatstream.homeassistant.FakeHomeAssistant ha;

    private void nodes(int burst) {
        a = node(burst);
        b = node(burst);
    }

    /** Both nodes run actions in one (fake) Home Assistant; a lock waits for ana's confirmation. */
    private void nodesWithActions() {
        ha = dev.chatstream.homeassistant.FakeHomeAssistant.start("ha-token-secret")
                .entity("lock.porta", "Porta da frente", "Entrada", "locked");
        java.nio.file.Path policy = ServerFixture.defaultPolicyNaming("ana");
        java.util.function.UnaryOperator<java.util.Map<String, String>> withHa = env -> {
            env.put("CHATSTREAM_HOMEASSISTANT_URL", ha.baseUrl().toString());
            env.put("CHATSTREAM_HOMEASSISTANT_TOKEN", "ha-token-secret");
            env.put("CHATSTREAM_ACTIONS_AUTO", "true");
            env.put("CHATSTREAM_HOMEASSISTANT_POLICY_FILE", policy.toString());
            return env;
        };
        a = node(100, withHa);
        b = node(100, withHa);
    }

    private ServerFixture node(int burst) {
        return node(burst, env -> env);
    }

    private ServerFixture node(int burst, java.util.function.UnaryOperator<java.util.Map<String, String>> more) {
        return new ServerFixture(env -> {
            env = more.apply(env);
            env.put("CHATSTREAM_REDIS_URL", redis.url());
            env.put("CHATSTREAM_STORE_URL", database.jdbcUrl());
            env.put("CHATSTREAM_STORE_USER", database.username());
            env.put("CHATSTREAM_LIMITS_RATE_BURST", Integer.toString(burst));
            env.put("CHATSTREAM_LIMITS_RATE_PER_MINUTE", "1"); // no refill within a test, however slow the machine
            env.put("CHATSTREAM_LIMITS_STREAMS_PER_USER", "4");
            return env;
        });
    }

    @AfterEach
    void close() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (ha != null) {
            ha.close();
        }
        redis.close();
    }

    private static HttpRequest.Builder chat(ServerFixture node) {
        return node.post("api/chat/stream/", node.anaToken, "{\"message\": \"Olá\"}");
    }

    @Test
    void shouldLetOneUsersBurstThroughOnceAcrossBothNodes() {
        nodes(10);
        for (int i = 0; i < 10; i++) {
            a.ollama.enqueue(Reply.tokens("Olá!"));
            b.ollama.enqueue(Reply.tokens("Olá!"));
        }
        int accepted = 0;
        List<HttpResponse<String>> refused = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ServerFixture node = i % 2 == 0 ? a : b;
            HttpResponse<String> r = node.send(chat(node));
            if (r.statusCode() == 200) {
                accepted++;
            } else {
                refused.add(r);
            }
        }

        assertThat(accepted).as("10 in all, not 10 per node").isEqualTo(10);
        assertThat(refused).hasSize(90).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
        });
        assertThat(a.ollama.chatBodies().size() + b.ollama.chatBodies().size()).isEqualTo(10);
    }

    @Test
    void shouldHoldOneUsersStreamCapAcrossBothNodes() {
        nodes(100); // the rate is not what refuses here
        for (int i = 0; i < 10; i++) {
            a.ollama.enqueue(Reply.stream().token("Era ").pause(Duration.ofSeconds(3)).token("uma vez.").done());
            b.ollama.enqueue(Reply.stream().token("Era ").pause(Duration.ofSeconds(3)).token("uma vez.").done());
        }
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ServerFixture node = i % 2 == 0 ? a : b;
            streams.add(node.client.sendAsync(chat(node).build(), HttpResponse.BodyHandlers.ofString()));
        }

        List<Integer> statuses = streams.stream().map(f -> f.join().statusCode()).toList();

        assertThat(statuses.stream().filter(s -> s == 200).count()).as("limits.streams.per.user in all: " + statuses)
                .isEqualTo(4);
        assertThat(streams).filteredOn(f -> f.join().statusCode() == 429).hasSize(6).allSatisfy(f ->
                assertThat(ConversationsIT.json(f.join().body()).get("code").asText()).isEqualTo("too_many_streams"));
        a.awaitOpenStreams(0);
        b.awaitOpenStreams(0);
        assertThat(b.send(chat(b)).statusCode()).as("the slots were given back").isEqualTo(200);
    }

    @Test
    void shouldPutAHomeChangedThroughOneNodeInTheOthersNextPrompt() throws InterruptedException {
        nodes(100);
        for (int i = 0; i < 20; i++) {
            b.ollama.enqueue(Reply.tokens("ok"));
        }
        b.send(chat(b)); // node B has ana's (empty) home in its cache now
        assertThat(b.ollama.chatBodies().getLast()).doesNotContain("light.alpendre");

        HttpResponse<String> put = a.send(a.put("api/context", a.anaToken, "{\"devices\": [{\"entity_id\": "
                + "\"light.alpendre\", \"name\": \"Luz do alpendre\", \"area\": \"Alpendre\"}]}"));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        boolean seen = false;
        while (!seen && System.nanoTime() < deadline) {
            b.send(chat(b));
            seen = b.ollama.chatBodies().getLast().contains("light.alpendre");
            if (!seen) {
                Thread.sleep(100);
            }
        }
        assertThat(seen).as("node B's prompt has the home changed through A, long before its cache expires").isTrue();
    }

    private static final String UNLOCK = "ACTION: {\"tool\": \"homeassistant_call_service\", \"args\": "
            + "{\"domain\": \"lock\", \"service\": \"unlock\", \"entity_id\": \"lock.porta\"}}";

    /** An action waiting on node A, as its reply gave it to the client. */
    private String waitingUnlockOnA() {
        a.ollama.enqueue(Reply.tokens("Vou abrir a porta.\n", UNLOCK));
        JsonNode action = ConversationsIT.json(StreamOutcome.of(a, a.chat("Abre a porta da frente")).events()
                .named("action").data());
        assertThat(action.get("needs_confirmation").asBoolean()).isTrue();
        return action.get("id").asText();
    }

    @Test
    void shouldConfirmThroughTheOtherNodeAnActionOneNodeHoldsAndRunItOnce() throws Exception {
        nodesWithActions();
        String id = waitingUnlockOnA();

        HttpResponse<String> confirmed = b.send(b.post("api/actions/" + id + "/confirm", b.anaToken, ""));

        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
        assertThat(ConversationsIT.json(confirmed.body()).get("status").asText()).isEqualTo("done");
        assertThat(ha.state("lock.porta")).isEqualTo("unlocked");
        HttpResponse<String> again = a.send(a.post("api/actions/" + id + "/confirm", a.anaToken, ""));
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(b.send(b.post("api/actions/" + id + "/confirm", b.ruiToken, "")).statusCode()).isEqualTo(404);

        // two confirms of another action at the same moment, one on each node: it runs once
        String second = waitingUnlockOnA();
        java.util.concurrent.CompletableFuture<HttpResponse<String>> onA = a.client.sendAsync(
                a.post("api/actions/" + second + "/confirm", a.anaToken, "").build(), HttpResponse.BodyHandlers.ofString());
        java.util.concurrent.CompletableFuture<HttpResponse<String>> onB = b.client.sendAsync(
                b.post("api/actions/" + second + "/confirm", b.anaToken, "").build(), HttpResponse.BodyHandlers.ofString());
        List<Integer> statuses = List.of(onA.join().statusCode(), onB.join().statusCode());
        assertThat(statuses).containsExactlyInAnyOrder(200, 409);
        assertThat(ha.calls()).as("each action ran once").hasSize(2);
    }

    @Test
    void shouldStopThroughTheOtherNodeATurnOneNodeRunsAndCloseItsLlmRequest() throws Exception {
        nodes(100);
        a.ollama.enqueue(Reply.stream().token("Era ").pause(Duration.ofMillis(200)).token("uma ").pause(Duration.ofSeconds(30))
                .token("vez.").done());
        // the response's headers come once the turn is noted: its id is what a client has to stop it anywhere
        HttpResponse<java.io.InputStream> stream = a.client.send(a.post("api/chat/stream/", a.anaToken,
                "{\"message\": \"Conta uma história\", \"resumable\": true}").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        String turn = stream.headers().firstValue("X-Turn-Id").orElseThrow();
        assertThat(a.ollama.awaitChatRequests(1, Duration.ofSeconds(10))).isTrue();

        HttpResponse<String> foreign = b.send(b.post("api/chat/turns/" + turn + "/stop", b.ruiToken, ""));
        assertThat(foreign.statusCode()).as("another user's turn, as a missing one").isEqualTo(404);
        HttpResponse<String> stop = b.send(b.post("api/chat/turns/" + turn + "/stop", b.anaToken, ""));

        assertThat(stop.statusCode()).as(stop.body()).isEqualTo(200);
        assertThat(ConversationsIT.json(stop.body()).get("stopped").asBoolean()).isTrue();
        assertThat(a.ollama.awaitClientDisconnect(Duration.ofSeconds(10))).as("node A closed Ollama's request").isTrue();
        SseEvents events;
        try (java.io.InputStream body = stream.body()) {
            events = SseEvents.parse(new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(events.last().name()).isEqualTo("error");
        assertThat(ConversationsIT.json(events.last().data()).get("code").asText()).isEqualTo("cancelled");
        assertThat(b.send(b.post("api/chat/turns/nosuchturn/stop", b.anaToken, "")).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldResumeThroughTheOtherNodeATurnOneNodeRunsFromEveryPointWithEachEventOnce() throws Exception {
        nodes(100);
        a.ollama.enqueue(Reply.stream().token("Era ").pause(Duration.ofMillis(300)).token("uma ")
                .pause(Duration.ofMillis(300)).token("vez ").token("um gato.").done());
        HttpResponse<java.io.InputStream> started = a.client.send(a.post("api/chat/stream/", a.anaToken,
                "{\"message\": \"Conta uma história\", \"resumable\": true}").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        String turn = started.headers().firstValue("X-Turn-Id").orElseThrow();
        long conversation = Long.parseLong(started.headers().firstValue("X-Conversation-Id").orElseThrow());
        try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(started.body(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null && !line.startsWith("id: " + turn + ":1"); ) {
                // read up to the first event, then leave, as a phone that loses its network does
            }
        }
        // a page that reloads through the other node sees the reply running and attaches to it there
        JsonNode reloaded = ConversationsIT.json(b.send(b.get("api/conversations/" + conversation, b.anaToken)).body());
        assertThat(reloaded.get("running_turn").get("turn_id").asText()).isEqualTo(turn);
        assertThat(reloaded.get("running_turn").get("message").asText()).isEqualTo("Conta uma história");
        // back through the other node while the reply still streams there
        HttpResponse<String> live = b.send(b.get("api/chat/turns/" + turn + "/events", b.anaToken)
                .header("Last-Event-ID", turn + ":1"));
        assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
        assertThat(live.headers().firstValue("X-Turn-Id")).hasValue(turn);

        List<String> whole = ResumeIT.frames(a.send(a.get("api/chat/turns/" + turn + "/events", a.anaToken)).body());
        assertThat(whole).hasSize(6); // four chunks, final_text, done
        assertThat(ResumeIT.frames(live.body())).as("from the other node, after the first event")
                .isEqualTo(whole.subList(1, whole.size()));
        for (int seq = 0; seq <= whole.size(); seq++) {
            HttpResponse<String> rest = b.send(b.get("api/chat/turns/" + turn + "/events?after=" + seq, b.anaToken));
            List<String> joined = new ArrayList<>(whole.subList(0, seq));
            joined.addAll(ResumeIT.frames(rest.body()));
            assertThat(joined).as("after %d through node B", seq).isEqualTo(whole);
            assertThat(rest.statusCode()).isEqualTo(seq == whole.size() ? 204 : 200);
        }
        assertThat(b.send(b.get("api/chat/turns/" + turn + "/events", b.ruiToken)).statusCode())
                .as("another user's turn, as a missing one").isEqualTo(404);
        assertThat(a.ollama.chatBodies()).hasSize(1);
        assertThat(b.ollama.chatBodies()).as("node B only read it").isEmpty();
        JsonNode stored = ConversationsIT.json(b.send(b.get("api/conversations/" + conversation, b.anaToken)).body());
        assertThat(stored.get("messages")).hasSize(2);
        assertThat(stored.get("messages").get(1).get("content").asText()).isEqualTo("Era uma vez um gato.");
        assertThat(stored.has("running_turn")).as("it ended: nothing runs there any more").isFalse();
    }

    @Test
    void shouldAnswerAResumeThroughTheOtherNodeWith503WhileRedisIsDownAndServeItOnItsOwnNode() throws Exception {
        nodes(100);
        a.ollama.enqueue(Reply.stream().token("Era ").pause(Duration.ofSeconds(2)).token("uma vez.").done());
        HttpResponse<String> started = a.send(a.post("api/chat/stream/", a.anaToken,
                "{\"message\": \"Conta\", \"resumable\": true}"));
        String turn = started.headers().firstValue("X-Turn-Id").orElseThrow();
        redis.stop();
        try {
            HttpResponse<String> elsewhere = b.send(b.get("api/chat/turns/" + turn + "/events", b.anaToken));
            assertThat(elsewhere.statusCode()).as(elsewhere.body()).isEqualTo(503);
            assertThat(ConversationsIT.json(elsewhere.body()).get("code").asText()).isEqualTo("shared_state_unavailable");
            assertThat(elsewhere.headers().firstValue("Retry-After")).isPresent();
            HttpResponse<String> here = a.send(a.get("api/chat/turns/" + turn + "/events", a.anaToken));
            assertThat(ResumeIT.frames(here.body())).as("its own node serves it from memory")
                    .isEqualTo(ResumeIT.frames(started.body()));
        } finally {
            redis.startAgain();
        }
    }

    @Test
    void shouldNeitherHoldNorConfirmActionsWhileRedisIsDownAndSaySo() {
        nodesWithActions();
        String held = waitingUnlockOnA();
        redis.stop();
        try {
            HttpResponse<String> confirm = b.send(b.post("api/actions/" + held + "/confirm", b.anaToken, ""));
            assertThat(confirm.statusCode()).as(confirm.body()).isEqualTo(503);
            assertThat(ConversationsIT.json(confirm.body()).get("code").asText()).isEqualTo("shared_state_unavailable");
            assertThat(confirm.headers().firstValue("Retry-After")).isPresent();

            a.ollama.enqueue(Reply.tokens("Vou abrir a porta.\n", UNLOCK));
            StreamOutcome out = StreamOutcome.of(a, a.chat("Abre a porta da frente"));
            JsonNode result = ConversationsIT.json(out.events().named("action_result").data());
            assertThat(result.get("status").asText()).as("nothing can wait: refused, never run").isEqualTo("refused");
            assertThat(result.get("message").asText()).contains("could not be kept for your confirmation");
            assertThat(out.events().names()).endsWith("done");
        } finally {
            redis.startAgain();
        }
        assertThat(ha.calls()).isEmpty();
    }

    @Test
    void shouldServeWithPerNodeLimitsWhileRedisIsDownAndShareThemAgainAfter() throws InterruptedException {
        nodes(10);
        for (int i = 0; i < 40; i++) {
            a.ollama.enqueue(Reply.tokens("Olá!"));
            b.ollama.enqueue(Reply.tokens("Olá!"));
        }
        redis.stop();
        try {
            int acceptedA = 0;
            int acceptedB = 0;
            for (int i = 0; i < 12; i++) {
                acceptedA += a.send(chat(a)).statusCode() == 200 ? 1 : 0;
                acceptedB += b.send(chat(b)).statusCode() == 200 ? 1 : 0;
            }
            assertThat(acceptedA).as("node A's own burst").isEqualTo(10);
            assertThat(acceptedB).as("node B's own burst").isEqualTo(10);
            assertThat(a.server.banner()).contains("shared with other nodes through Redis redis://127.0.0.1:"
                    + redis.port() + "/0");
            assertThat(a.server.startupProblem()).hasValueSatisfying(line -> assertThat(line)
                    .contains("Redis at redis://127.0.0.1:" + redis.port() + "/0 cannot be reached", "chats work"));
            JsonNode ready = ConversationsIT.json(a.send(a.get("api/ready", a.anaToken)).body());
            assertThat(ready.get("status").asText()).isEqualTo("degraded");
            assertThat(ready.get("reason").asText()).contains("Redis at redis://127.0.0.1:" + redis.port()
                    + "/0 cannot be reached", "this node's own");
        } finally {
            redis.startAgain();
        }
        Thread.sleep(1_200); // a down Redis is tried again once a second
        int accepted = 0;
        for (int i = 0; i < 14; i++) {
            ServerFixture node = i % 2 == 0 ? a : b;
            accepted += node.send(chat(node)).statusCode() == 200 ? 1 : 0;
        }
        assertThat(accepted).as("a fresh shared burst: 10 in all again").isEqualTo(10);
        assertThat(ConversationsIT.json(b.send(b.get("api/ready", b.anaToken)).body()).get("status").asText())
                .isEqualTo("ready");
    }
}
