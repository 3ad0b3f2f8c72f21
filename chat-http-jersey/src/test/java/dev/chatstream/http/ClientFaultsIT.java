package dev.chatstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama.Reply;
import java.time.Duration;
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
            closedAt = System.nanoTime();
        }

        assertThat(f.ollama.awaitClientDisconnect(Duration.ofSeconds(20))).isTrue();
        long tookMs = (System.nanoTime() - closedAt) / 1_000_000;
        System.out.println("client gone during a model load -> upstream closed in " + tookMs + " ms");
        assertThat(tookMs).as("noticed without waiting for a heartbeat (15 s)").isLessThan(2_000);
    }
}
