package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama.Reply;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reliability matrix, client faults: a client that leaves is noticed at once and its upstream closed. */
class ClientFaultsIT {
    private final ServerFixture f = new ServerFixture(); // heartbeat.seconds at its default, 15

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldCloseTheUpstreamPromptlyWhenTheClientLeavesDuringAModelLoad() {
        f.ollama.enqueue(Reply.stream().stall());

        long closedAt;
        try (RawClient client = RawClient.post(f, f.anaToken, "{\"message\": \"Olá\"}")) {
            client.readUntil(": stream open");
            // Leave once Ollama is loading the model: a client that leaves sooner is noticed before Ollama is asked.
            assertThat(f.ollama.awaitChatRequests(1, Duration.ofSeconds(10))).isTrue();
            closedAt = System.nanoTime();
        }

        assertThat(f.ollama.awaitClientDisconnect(Duration.ofSeconds(20))).isTrue();
        long tookMs = (System.nanoTime() - closedAt) / 1_000_000;
        System.out.println("client gone during a model load -> upstream closed in " + tookMs + " ms");
        assertThat(tookMs).as("noticed at once (PeerWatch's selector), not at a heartbeat (15 s)").isLessThan(3_000);
    }

    @Test
    void shouldCloseTheUpstreamPromptlyWhenTheClientLeavesBeforeTheFirstToken() {
        f.ollama.enqueue(Reply.stream().pause(Duration.ofSeconds(2)).token("tarde demais").done());

        try (RawClient client = RawClient.post(f, f.anaToken, "{\"message\": \"Olá\"}")) {
            client.readUntil(": stream open");
            assertThat(f.ollama.awaitChatRequests(1, Duration.ofSeconds(10))).isTrue();
        }

        assertThat(f.ollama.awaitClientDisconnect(Duration.ofSeconds(5))).isTrue();
        assertThat(f.awaitOpenStreams(0)).isZero();
    }

    @Test
    void shouldCapOneUsersFiftyStreamsAndLeaveOthersAlone() throws Exception {
        try (ServerFixture capped = new ServerFixture(env -> {
            env.put("CHATSTREAM_LIMITS_RATE_BURST", "1000"); // so only the stream cap refuses
            env.put("CHATSTREAM_LIMITS_RATE_PER_MINUTE", "100000");
            return env;
        })) {
            fiftyStreams(capped);
        }
    }

    private static void fiftyStreams(ServerFixture f) throws Exception {
        for (int i = 0; i < 4; i++) { // limits.streams.per.user: 4
            f.ollama.enqueue(Reply.stream().token("a").stall());
        }
        List<CompletableFuture<HttpResponse<InputStream>>> anas = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            anas.add(f.client.sendAsync(f.post("api/chat/stream/", f.anaToken, "{\"message\": \"Olá\"}").build(),
                    HttpResponse.BodyHandlers.ofInputStream()));
        }
        CompletableFuture.allOf(anas.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        List<Integer> statuses = anas.stream().map(r -> r.join().statusCode()).toList();
        assertThat(f.awaitOpenStreams(4)).isEqualTo(4);
        f.ollama.enqueue(Reply.tokens("Olá, Rui."));

        StreamOutcome rui = StreamOutcome.of(f, f.ruiToken, f.send(f.post("api/chat/stream/", f.ruiToken,
                "{\"message\": \"Olá\"}")));

        assertThat(statuses.stream().filter(s -> s == 200)).hasSize(4);
        assertThat(statuses.stream().filter(s -> s == 429)).hasSize(46);
        String refused = new String(anas.stream().filter(r -> r.join().statusCode() == 429).findFirst().orElseThrow()
                .join().body().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(refused).contains("\"code\": \"too_many_streams\"");
        assertThat(rui.code()).isEqualTo("done");
        assertThat(rui.text()).isEqualTo("Olá, Rui.");
        for (var r : anas) {
            r.join().body().close();
        }
    }

    @Test
    void shouldRefuseABurstOfAHundredRequestsAboveTheRateButNotOtherUsers() throws Exception {
        try (ServerFixture many = new ServerFixture(env -> {
            env.put("CHATSTREAM_LIMITS_STREAMS_PER_USER", "100"); // so only the rate limit refuses
            return env;
        })) {
            burst(many);
        }
    }

    private static void burst(ServerFixture f) throws Exception {
        for (int i = 0; i < 12; i++) {
            f.ollama.enqueue(Reply.tokens("ok"));
        }
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) { // within about a second
            burst.add(f.client.sendAsync(f.post("api/chat/stream/", f.anaToken, "{\"message\": \"Olá\"}").build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(burst.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        long sentInMs = (System.nanoTime() - start) / 1_000_000;
        HttpResponse<String> rui = f.send(f.post("api/chat/stream/", f.ruiToken, "{\"message\": \"Olá\"}"));

        long accepted = burst.stream().filter(r -> r.join().statusCode() == 200).count();
        long limited = burst.stream().filter(r -> r.join().statusCode() == 429
                && r.join().body().contains("\"code\": \"rate_limited\"")
                && r.join().headers().firstValue("Retry-After").isPresent()).count();
        System.out.println("burst of 100 in " + sentInMs + " ms: " + accepted + " accepted, " + limited + " rate limited");
        long refilled = 1 + sentInMs / 2_000; // 30 a minute: one more every 2 s the burst took, at most
        assertThat(accepted).as("limits.rate.burst (10), plus what refilled meanwhile (30 a minute)")
                .isBetween(10L, 10L + refilled);
        assertThat(accepted + limited).isEqualTo(100);
        assertThat(rui.statusCode()).isEqualTo(200);
        assertThat(rui.body()).contains("event: done");
    }
}
