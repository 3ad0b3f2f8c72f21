package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama.Reply;
import dev.chatstream.store.StoreConfig;
import dev.chatstream.store.TestPostgres;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Reliability matrix, lifecycle: a shutdown with many open streams and a database that fails mid-run.
 * (A restart that continues a conversation is RestartIT.)
 */
class LifecycleIT {
    private static final int STREAMS = 100;

    @Test
    void shouldEndAHundredOpenStreamsWithServerShutdownAndKeepWhatEachUserSaw() throws Exception {
        ServerFixture f = new ServerFixture(env -> {
            env.put("CHATSTREAM_LIMITS_STREAMS_PER_USER", "1000");
            env.put("CHATSTREAM_LIMITS_RATE_BURST", "1000");
            env.put("CHATSTREAM_LIMITS_RATE_PER_MINUTE", "100000");
            return env;
        });
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        try {
            for (int i = 0; i < STREAMS; i++) {
                f.ollama.enqueue(Reply.stream().token("parte ").token("vista ").stall());
            }
            for (int i = 0; i < STREAMS; i++) {
                streams.add(f.client.sendAsync(f.post("api/chat/stream/", f.anaToken,
                        "{\"message\": \"pedido " + i + "\"}").build(), HttpResponse.BodyHandlers.ofString()));
            }
            awaitRelayed(f, 2 * STREAMS); // every client has been sent both words

            long start = System.nanoTime();
            f.server.close();
            long closeMs = (System.nanoTime() - start) / 1_000_000;
            CompletableFuture.allOf(streams.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            System.out.println("shutdown with " + STREAMS + " open streams took " + closeMs + " ms");
            assertThat(closeMs).as("bounded by shutdown.seconds (5 in tests)").isLessThan(5_000);
        } finally {
            f.ollama.close();
        }
        try (ServerFixture again = new ServerFixture(env -> {
            env.put("CHATSTREAM_DATA_DIR", f.dataDir.toString());
            return env;
        })) {
            for (CompletableFuture<HttpResponse<String>> s : streams) {
                StreamOutcome out = StreamOutcome.of(again, s.join());
                assertThat(out.code()).isEqualTo("server_shutdown");
                assertThat(out.text()).isEqualTo("parte vista ");
                assertThat(out.stored()).as("what the user saw is stored").hasSize(2)
                        .last().isEqualTo("assistant:parte vista:cancelled");
            }
        }
    }

    @Test
    void shouldSayTheStoreIsDownWithoutHalfAConversationAndRecover() throws Exception {
        TestPostgres postgres = TestPostgres.shared();
        StoreConfig database = postgres.newDatabase();
        try (ServerFixture f = new ServerFixture(env -> {
            env.put("CHATSTREAM_STORE_URL", database.jdbcUrl());
            env.put("CHATSTREAM_STORE_USER", database.username());
            // The wait for a connection, scaled down from 5 s: the test sees it twice once PostgreSQL is gone.
            env.put("CHATSTREAM_STORE_TIMEOUT_MILLIS", "500");
            return env;
        })) {
            f.ollama.enqueue(Reply.tokens("Olá!"));
            long id = ConversationsIT.conversationIdOf(f.chat("Olá"));
            f.ollama.enqueue(Reply.stream().token("Vou ").pause(Duration.ofSeconds(1)).token("ver.").done());
            CompletableFuture<HttpResponse<String>> during = f.client.sendAsync(f.post("api/chat/stream/", f.anaToken,
                    "{\"message\": \"E agora?\", \"conversation_id\": " + id + "}").build(),
                    HttpResponse.BodyHandlers.ofString());
            awaitRelayed(f, 2); // "Olá!" and "Vou "
            HttpResponse<String> refused;
            try {
                postgres.stop();
                HttpResponse<String> cut = during.get(60, TimeUnit.SECONDS);
                refused = f.chat("Estás aí?");

                SseEvents events = SseEvents.parse(cut.body());
                assertThat(events.names()).as("one terminal event").containsExactly("message", "message",
                        "final_text", "error");
                assertThat(ConversationsIT.json(events.last().data()).get("code").asText())
                        .isEqualTo("store_unavailable");
                assertThat(ConversationsIT.json(events.last().data()).get("error").asText())
                        .isEqualTo("The reply could not be saved: The store could not save the conversation; try again "
                                + "in a moment");
            } finally {
                postgres.start();
            }

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(ConversationsIT.json(refused.body()).get("code").asText()).isEqualTo("auth_unavailable");
            // The pool reconnects once PostgreSQL answers again: /api/ready says when, as it would to a load balancer.
            long back = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (f.send(f.get("api/ready", f.anaToken)).statusCode() != 200 && System.nanoTime() < back) {
                Thread.sleep(50);
            }
            f.ollama.enqueue(Reply.tokens("Estou."));
            StreamOutcome after = StreamOutcome.of(f, f.send(f.post("api/chat/stream/", f.anaToken,
                    "{\"message\": \"Estás aí?\", \"conversation_id\": " + id + "}")));
            assertThat(after.code()).as("recovered once PostgreSQL is back").isEqualTo("done");
            assertThat(after.stored()).as("the turn that could not be saved left nothing half-written")
                    .containsExactly("user:Olá:complete", "assistant:Olá!:complete", "user:Estás aí?:complete",
                            "assistant:Estou.:complete");
        }
    }

    /** Waits until the server has written {@code chunks} chunks in all (its metric), so the clients saw them. */
    private static void awaitRelayed(ServerFixture f, int chunks) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (relayed(f) < chunks) {
            assertThat(System.nanoTime()).as("%d chunks relayed in time", chunks).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static double relayed(ServerFixture f) {
        String metrics = f.send(f.get("metrics", null)).body();
        return Double.parseDouble(metrics.replaceAll("(?s).*\nchatstream_tokens_relayed_total ([0-9.E]+)\n.*", "$1"));
    }
}
