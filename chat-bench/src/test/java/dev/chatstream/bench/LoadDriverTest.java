package dev.chatstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The driver itself, quickly: its fake Ollama and client agree on the protocol, and its figures add up. */
class LoadDriverTest {
    @Test
    void shouldStreamPacedRepliesAndTimeThem() throws Exception {
        try (PacedOllama ollama = new PacedOllama()) {
            ollama.script(new PacedOllama.Script(10, Duration.ofMillis(2), Duration.ZERO));
            StreamClient direct = new StreamClient(StreamClient.Target.DIRECT, ollama.baseUrl(), null);

            Load.Streams s = Load.steady(direct, 4, 3, Duration.ofMillis(10));

            assertThat(s.results()).hasSize(12).allSatisfy(r -> {
                assertThat(r.outcome).isEqualTo("done");
                assertThat(r.chunks).isEqualTo(10);
                assertThat(r.gapCount).isEqualTo(9);
                assertThat(r.firstChunk).isGreaterThan(r.sent);
                // The gaps add up to the time from the first line to the last: what the driver reports is what it
                // saw. (How long the gaps are depends on how busy the machine is: never asserted in a test.)
                long sum = 0;
                for (int i = 0; i < r.gapCount; i++) {
                    assertThat(r.gaps[i]).isNotNegative();
                    sum += r.gaps[i];
                }
                assertThat(sum).isEqualTo(r.lastChunk - r.firstChunk);
            });
            assertThat(s.errors()).isEmpty();
            assertThat(s.chunks()).isEqualTo(120);
            assertThat(s.gaps().p50()).as("every gap is counted in the run's figures").isNotNegative();
        }
    }

    @Test
    void shouldSeeWhenTheClientClosesMidReply() throws Exception {
        try (PacedOllama ollama = new PacedOllama()) {
            ollama.script(new PacedOllama.Script(50, Duration.ofMillis(5), Duration.ZERO));
            StreamClient direct = new StreamClient(StreamClient.Target.DIRECT, ollama.baseUrl(), null);

            Load.Streams s = Load.steady(direct, 2, 1, Duration.ZERO, 3);
            Thread.sleep(200);

            for (int i = 0; i < s.results().size(); i++) {
                StreamClient.Result r = s.results().get(i);
                assertThat(r.outcome).isEqualTo("aborted");
                assertThat(ollama.closedAt(s.tags().get(i))).as("the fake saw the close").isNotNull()
                        .isGreaterThanOrEqualTo(r.abortedAt);
            }
        }
    }

    @Test
    void shouldPlayOllamasFaults() throws Exception {
        try (PacedOllama ollama = new PacedOllama()) {
            StreamClient direct = new StreamClient(StreamClient.Target.DIRECT, ollama.baseUrl(), null);
            ollama.script(new PacedOllama.Script(20, Duration.ofMillis(1), Duration.ZERO, 5, 0));
            Load.Streams cut = Load.steady(direct, 2, 1, Duration.ZERO);
            ollama.script(new PacedOllama.Script(20, Duration.ofMillis(1), Duration.ZERO, 0, 503));
            Load.Streams busy = Load.steady(direct, 2, 1, Duration.ZERO);

            assertThat(cut.results()).allSatisfy(r -> {
                assertThat(r.chunks).isEqualTo(5);
                assertThat(r.outcome).startsWith("io: ").isNotEqualTo("done");
            });
            assertThat(busy.errors()).containsEntry("http 503", 2);
        }
    }

    @Test
    void shouldTakeNearestRankPercentiles() {
        long[] v = new long[100];
        for (int i = 0; i < 100; i++) {
            v[i] = (i + 1) * 1_000_000L; // 1..100 ms
        }
        Percentiles p = Percentiles.of(v, 100);

        assertThat(p.p50()).isEqualTo(50.0);
        assertThat(p.p90()).isEqualTo(90.0);
        assertThat(p.p99()).isEqualTo(99.0);
        assertThat(p.max()).isEqualTo(100.0);
        assertThat(Percentiles.of(v, 0)).isEqualTo(Percentiles.NONE);
    }
}
