package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama.Reply;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Heartbeats, clients that leave, deadlines, shutdown, and Ollama being away. */
class StreamLifecycleIT {
    private final ServerFixture f = new ServerFixture(env -> {
        env.put("CHATSTREAM_HEARTBEAT_SECONDS", "1");
        return env;
    });

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldOpenAtOnceAndPingWhileTheModelLoads() {
        // A model that loads for 3.5 s with 1 s heartbeats: at least two pings before the reply, however late a busy
        // machine runs the timer (a ping never comes early; how many more come depends on the machine: not asserted)
        f.ollama.enqueue(Reply.stream().pause(Duration.ofMillis(3_500)).token("Olá").done());

        try (RawClient client = RawClient.post(f, f.anaToken, "{\"message\": \"Olá\"}")) {
            String opened = client.readUntil(": stream open");
            assertThat(opened).startsWith("HTTP/1.1 200").doesNotContain("Olá");
            String all = client.readUntil("event: done");
            int pings = all.split(": ping", -1).length - 1;
            assertThat(pings).as("pings in 3.5 s at 1 s").isGreaterThanOrEqualTo(2);
            assertThat(all.indexOf(": ping")).isLessThan(all.indexOf("Olá"));
        }
    }

    @Test
    void shouldCloseTheUpstreamWhenTheClientLeavesMidStream() {
        f.ollama.enqueue(Reply.stream().paced(Duration.ofMillis(50)).token("um ").token("dois ").token("três ")
                .token("quatro ").token("cinco ").stall());

        long closedAt;
        try (RawClient client = RawClient.post(f, f.anaToken, "{\"message\": \"Olá\"}")) {
            client.readUntil("um ");
            closedAt = System.nanoTime();
        }

        assertThat(f.ollama.awaitClientDisconnect(Duration.ofSeconds(5))).isTrue();
        long tookMs = (System.nanoTime() - closedAt) / 1_000_000;
        System.out.println("client gone mid-stream -> upstream closed in " + tookMs + " ms");
        assertThat(tookMs).as("within one token interval plus 100 ms, with slack for a busy machine")
                .isLessThan(1_000);
    }

    @Test
    void shouldExplainThatOllamaIsAwayInOneErrorEvent() {
        f.ollama.close();

        HttpResponse<String> r = f.chat("Olá");

        SseEvents events = SseEvents.parse(r.body());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(events.names()).containsExactly("error");
        assertThat(events.last().data()).contains("\"code\": \"llm_unavailable\"").contains("Ollama")
                .contains(r.headers().firstValue("X-Request-Id").orElseThrow());
    }

    @Test
    void shouldEndEveryOpenStreamWithServerShutdown() throws Exception {
        f.ollama.enqueue(Reply.stream().token("Olá").stall()).enqueue(Reply.stream().stall());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor();
                RawClient one = RawClient.post(f, f.anaToken, "{\"message\": \"Olá\"}")) {
            one.readUntil("Olá");
            RawClient two = RawClient.post(f, f.ruiToken, "{\"message\": \"Olá\"}");
            two.readUntil(": stream open");

            CompletableFuture<Void> closing = CompletableFuture.runAsync(f.server::close, pool);

            assertThat(one.readUntil("event: error")).contains("\"code\": \"server_shutdown\"");
            assertThat(two.readUntil("event: error")).contains("\"code\": \"server_shutdown\"");
            two.close();
            closing.get();
        }
    }

    @Test
    void shouldStopAStreamAtTheMaximumDuration() {
        try (ServerFixture shortLived = new ServerFixture(env -> {
            env.put("CHATSTREAM_LIMITS_STREAM_SECONDS", "1");
            return env;
        })) {
            shortLived.ollama.enqueue(Reply.stream().paced(Duration.ofMillis(200)).token("a").token("b").token("c")
                    .token("d").token("e").token("f").token("g").token("h").stall());

            SseEvents events = SseEvents.parse(shortLived.chat("Olá").body());

            assertThat(events.last().name()).isEqualTo("error");
            assertThat(events.last().data()).contains("\"code\": \"timeout\"")
                    .contains("The reply took longer than 1 s, the server's limit");
            assertThat(shortLived.ollama.awaitClientDisconnect(Duration.ofSeconds(5))).isTrue();
        }
    }
}
