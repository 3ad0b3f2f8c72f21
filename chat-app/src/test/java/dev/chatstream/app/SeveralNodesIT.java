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

    private void nodes(int burst) {
        a = node(burst);
        b = node(burst);
    }

    private ServerFixture node(int burst) {
        return new ServerFixture(env -> {
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
