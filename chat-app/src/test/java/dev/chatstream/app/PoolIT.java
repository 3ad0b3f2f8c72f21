package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama;
import dev.chatstream.openai.FakeOpenAi;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server with {@code llm.backends}, over real HTTP, in front of real fake backends: an Ollama that answers at
 * once, an OpenAI-compatible server whose first token takes 500 ms, and a port that refuses connections until a
 * fake starts on it. Clients never see the pool's failovers; they see one error only when a reply broke after it
 * began or no backend can answer.
 */
class PoolIT {
    private final FakeOllama fast = FakeOllama.start();
    private final FakeOpenAi slow = FakeOpenAi.start();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() throws Exception {
        threads.shutdownNow();
        for (AutoCloseable c : closing) {
            c.close();
        }
        fast.close();
        slow.close();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private ServerFixture server(String backendsJson) {
        ServerFixture f = new ServerFixture(env -> {
            env.put("CHATSTREAM_LLM_BACKENDS", backendsJson);
            env.put("CHATSTREAM_LIMITS_RATE_PER_MINUTE", "6000"); // the bursts below are one user's
            env.put("CHATSTREAM_LIMITS_RATE_BURST", "100");
            return env;
        });
        closing.add(0, f);
        return f;
    }

    private static String ollama(String name, String url, String extra) {
        return "{\"type\": \"ollama\", \"name\": \"" + name + "\", \"url\": \"" + url + "\"" + extra + "}";
    }

    private StreamOutcome chat(ServerFixture f, String message) {
        return StreamOutcome.of(f, f.chat(message));
    }

    @Test
    void shouldSendTrafficToTheFastBackendAndTakeARefusingOneBackAfterItsProbe() throws Exception {
        int refusingPort = freePort();
        slow.models("qwen");
        ServerFixture f = server("[" + ollama("refusing", "http://127.0.0.1:" + refusingPort, "") + ", "
                + ollama("fast", fast.baseUrl().toString(), "") + ", {\"type\": \"openai\", \"name\": \"slow\", "
                + "\"url\": \"" + slow.baseUrl() + "\", \"model\": \"qwen\"}]");
        for (int i = 0; i < 40; i++) {
            fast.enqueue(FakeOllama.Reply.tokens("rápido"));
            slow.enqueue(FakeOpenAi.Reply.stream().pause(Duration.ofMillis(500)).token("lento").finish("stop").done());
        }

        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            StreamOutcome out = chat(f, "Olá " + i);
            assertThat(out.code()).as("request %d", i).isEqualTo("done");
            answers.add(out.text());
        }
        assertThat(answers).as("the slow one is measured once, then the fast one answers").containsExactly(
                "rápido", "lento", "rápido", "rápido", "rápido", "rápido");

        // Bursts put replies in flight on the fast one, so the refusing one is tried, fails over, and cools down.
        for (int round = 0; round < 10 && !metrics(f).contains("chatstream_llm_backend_up{backend=\"refusing\"} 0.0");
             round++) {
            List<CompletableFuture<StreamOutcome>> burst = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                burst.add(CompletableFuture.supplyAsync(() -> chat(f, "Conta"), threads));
            }
            for (CompletableFuture<StreamOutcome> r : burst) {
                assertThat(r.join().code()).as("no client sees the failover").isEqualTo("done");
            }
        }
        String figures = metrics(f);
        assertThat(figures).contains("chatstream_llm_backend_up{backend=\"refusing\"} 0.0")
                .contains("chatstream_llm_backend_errors_total{backend=\"refusing\",code=\"llm_unavailable\"} 3.0");
        HttpResponse<String> ready = f.send(f.get("api/ready", f.anaToken));
        assertThat(ready.statusCode()).as("ready while one backend is").isEqualTo(200);
        assertThat(ready.body()).contains("\"backend.refusing\": \"not ready, cooling down: Ollama is not reachable at "
                + "http://127.0.0.1:" + refusingPort).contains("\"backend.fast\": \"ready");

        try (FakeOllama back = FakeOllama.startOn(refusingPort)) {
            for (int i = 0; i < 5; i++) {
                back.enqueue(FakeOllama.Reply.tokens("voltei"));
            }
            Thread.sleep(5_200); // the first cooldown, 5 s; then the next request probes it
            StreamOutcome out = chat(f, "Ainda aí?");
            assertThat(out.code()).isEqualTo("done");
            assertThat(out.text()).as("probed, then used again").isEqualTo("voltei");
            assertThat(metrics(f)).contains("chatstream_llm_backend_up{backend=\"refusing\"} 1.0");
        }
    }

    private static String metrics(ServerFixture f) {
        return f.send(f.get("metrics", f.anaToken)).body();
    }

    @Test
    void shouldEndAReplyThatBrokeMidwayWithOneErrorAndSendTheNextElsewhere() {
        try (FakeOllama other = FakeOllama.start()) {
            ServerFixture f = server("[" + ollama("first", fast.baseUrl().toString(), "") + ", "
                    + ollama("second", other.baseUrl().toString(), "") + "]");
            fast.enqueue(FakeOllama.Reply.stream().token("Está ").token("sol ").pause(Duration.ofMillis(200)).reset());
            other.enqueue(FakeOllama.Reply.tokens("Chove."));

            StreamOutcome broken = chat(f, "Que tempo faz?");
            StreamOutcome next = chat(f, "E amanhã?");

            assertThat(broken.text()).isEqualTo("Está sol ");
            assertThat(broken.code()).isEqualTo("llm_unavailable");
            assertThat(next.code()).isEqualTo("done");
            assertThat(next.text()).isEqualTo("Chove.");
            assertThat(fast.chatBodies()).hasSize(1);
        }
    }

    @Test
    void shouldNameEveryBackendWhenNoneCanAnswer() throws Exception {
        int a = freePort();
        int b = freePort();
        ServerFixture f = server("[" + ollama("a", "http://127.0.0.1:" + a, "") + ", "
                + ollama("b", "http://127.0.0.1:" + b, "") + "]");

        StreamOutcome out = chat(f, "Olá");

        assertThat(out.code()).isEqualTo("llm_unavailable");
        assertThat(out.error()).isEqualTo("No LLM backend could answer — a: Ollama is not reachable at "
                + "http://127.0.0.1:" + a + " — is it running? (start it with `ollama serve`, or set ollama.url, "
                + "CHATSTREAM_OLLAMA_URL, to where it runs); b: Ollama is not reachable at http://127.0.0.1:" + b
                + " — is it running? (start it with `ollama serve`, or set ollama.url, CHATSTREAM_OLLAMA_URL, to where "
                + "it runs)");
        HttpResponse<String> ready = f.send(f.get("api/ready", f.anaToken));
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("No LLM backend is ready — a: Ollama is not reachable");
    }

    @Test
    void shouldQueueWhenEveryBackendIsAtItsCapAndSayItAtOnce() throws Exception {
        ServerFixture f = server("[" + ollama("only", fast.baseUrl().toString(), ", \"max_concurrent\": 1") + "]");
        fast.enqueue(FakeOllama.Reply.stream().token("Primeiro ").pause(Duration.ofMillis(1500)).token("fim.").done());
        fast.enqueue(FakeOllama.Reply.tokens("Segundo."));
        CompletableFuture<StreamOutcome> first = CompletableFuture.supplyAsync(() -> chat(f, "Um"), threads);
        assertThat(fast.awaitChatRequests(1, Duration.ofSeconds(10))).isTrue();

        try (RawClient second = RawClient.post(f, f.anaToken, "{\"message\": \"Dois\", \"phases\": true}")) {
            String seen = second.readUntil(": queued");
            assertThat(seen).as("said before the first reply ends").doesNotContain("Segundo");
            String rest = second.readUntil("event: done");
            assertThat(rest).contains("Segundo.");
            // issue 23: the phases, for a client that asked: queued, then generating, before the text
            assertThat(rest.indexOf("\"phase\": \"queued\"")).isNotNegative()
                    .isLessThan(rest.indexOf("\"phase\": \"generating\"")).isLessThan(rest.indexOf("Segundo."));
        }
        assertThat(first.join().text()).isEqualTo("Primeiro fim.");
        assertThat(metrics(f)).contains("chatstream_llm_pool_waiting 0.0");
    }

    @Test
    void shouldRefuseABackendListItCannotUse() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AppConfig.load(List.of(),
                java.util.Map.of("CHATSTREAM_LLM_BACKENDS", "[{\"type\": \"openai\", \"url\": \"http://x:8000/v1\", "
                        + "\"api_key\": \"sk-secret-in-json\", \"wieght\": 2}]")))
                .hasMessage("llm.backends (environment variable CHATSTREAM_LLM_BACKENDS), backend 1 has an unknown "
                        + "field \"wieght\" (fields: type, url, model, name, weight, max_concurrent, api_key)")
                .hasMessageNotContaining("sk-secret-in-json");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AppConfig.load(List.of(),
                java.util.Map.of("CHATSTREAM_LLM_BACKENDS", "[{\"type\": \"ollama\", \"url\": \"http://x:11434\"}, "
                        + "{\"type\": \"ollama\", \"url\": \"http://x:11434\"}]")))
                .hasMessageContaining("backend 2 is named x:11434 like another: give each a \"name\"");
    }
}
