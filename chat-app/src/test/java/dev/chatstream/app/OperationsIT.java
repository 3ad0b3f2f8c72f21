package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Readiness, metrics, CORS, the first start, and what the logs may never hold. */
class OperationsIT {
    private final ServerFixture f = new ServerFixture(env -> {
        env.put("CHATSTREAM_CORS_ORIGINS", "https://app.example.org");
        return env;
    });

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldBeReadyWhenOllamaHasTheModel() {
        HttpResponse<String> r = f.send(f.get("api/ready", f.anaToken));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"status\": \"ready\"", "\"model\": \"llama3.2\"", "\"ollama_version\": \"0.12.3\"");
    }

    @Test
    void shouldSayWhatToDoWhenTheModelIsMissing() {
        f.ollama.models("qwen3:latest");

        HttpResponse<String> r = f.send(f.get("api/ready", f.anaToken));

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"status\": \"not_ready\"",
                "The model llama3.2 is not installed in Ollama; run: ollama pull llama3.2");
    }

    @Test
    void shouldPublishStreamErrorAndCacheMetrics() {
        f.ollama.enqueue(Reply.tokens("Olá", "!"));
        f.chat("Olá");
        f.send(f.post("api/chat/stream/", null, "{}"));
        // The client has the end of the body a moment before the server releases the stream (it is stored, its
        // figures recorded, then its slot freed): the gauge below is read once that happened, not before.
        assertThat(f.awaitOpenStreams(0)).isZero();

        String metrics = f.send(f.get("metrics", null)).body();

        assertThat(metrics).contains("chatstream_tokens_relayed_total 2.0", "chatstream_streams_active 0.0",
                "chatstream_stream_first_chunk_seconds_count 1", "chatstream_stream_duration_seconds_count 1",
                "chatstream_cache_misses_total{cache=\"base_prompt\"} 1.0", "chatstream_cache_hit_ratio{cache=\"memories\"}",
                "chatstream_rate_limited_total 0.0", "chatstream_upstream_cancellations_total 0.0");
        // issue 25: the first chunk's time by phase, one of each for the one new turn
        assertThat(metrics).contains("chatstream_stream_first_chunk_phase_seconds_count{phase=\"admit\"} 1",
                "chatstream_stream_first_chunk_phase_seconds_count{phase=\"generate\"} 1",
                "chatstream_stream_first_chunk_phase_seconds_count{phase=\"deliver\"} 1");
    }

    @Test
    void shouldAnswerUnknownPathsAndMethodsInJson() {
        HttpResponse<String> missing = f.send(f.get("api/nothing-here", f.anaToken));
        HttpResponse<String> put = f.send(HttpRequest.newBuilder(f.uri("api/chat/stream/"))
                .header("Authorization", "Bearer " + f.anaToken)
                .PUT(HttpRequest.BodyPublishers.ofString("{}")));

        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("\"code\": \"not_found\"");
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.body()).contains("\"code\": \"method_not_allowed\"");
        HttpResponse<String> conversation = f.send(f.get("api/conversations/999", f.anaToken));
        for (HttpResponse<String> r : List.of(missing, put, conversation)) { // issue 27 item 12: as the docs promise
            String id = r.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(r.body()).as("%s", r.uri()).endsWith(", \"request_id\": \"" + id + "\"}");
        }
        assertThat(conversation.statusCode()).isEqualTo(404);
    }

    @Test
    void shouldAllowOnlyTheConfiguredOrigin() {
        HttpResponse<String> preflight = f.send(HttpRequest.newBuilder(f.uri("api/chat/stream/"))
                .header("Origin", "https://app.example.org")
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        f.ollama.enqueue(Reply.tokens("ok"));
        HttpResponse<String> allowed = f.send(f.post("api/chat/stream/", f.anaToken, "{\"message\": \"x\"}")
                .header("Origin", "https://app.example.org"));
        HttpResponse<String> other = f.send(f.get("api/health", null).header("Origin", "https://evil.example"));

        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.org");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse(""))
                .contains("Authorization", "Last-Event-ID", "Idempotency-Key"); // issue 19: resuming across origins
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.org");
        assertThat(allowed.headers().firstValue("Access-Control-Expose-Headers").orElse("")).contains("X-Turn-Id");
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    /** Issue 22, finding 7: a log (journald, docker logs) never holds the first token. */
    @Test
    void shouldWriteTheFirstTokenToAnOwnerOnlyFileWhenTheConsoleIsNotATerminal() throws Exception {
        try (ServerFixture piped = new ServerFixture(env -> {
            env.put("TEST_CONSOLE", "pipe");
            return env;
        })) {
            java.nio.file.Path file = piped.dataDir.resolve("admin-token");

            assertThat(piped.firstStartOutput).doesNotContain("cs_")
                    .contains("Its API token is in " + file, "#token=<the token>");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            String token = java.nio.file.Files.readString(file).strip();
            assertThat(piped.send(piped.get("api/memories", token)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void shouldPrintAFirstTokenAndACurlCommandOnFirstStart() {
        assertThat(f.firstStartOutput).containsPattern("Open the chat page .*\n\n  http://127\\.0\\.0\\.1:\\d+/#token=cs_");
        assertThat(f.firstStartOutput).contains("first start, so it created the user \"admin\"",
                "curl -N -H \"Authorization: Bearer cs_", "api/chat/stream/?message=Ol%C3%A1");
        String token = f.firstStartOutput.replaceAll("(?s).*?(cs_[A-Za-z0-9_-]+).*", "$1");
        f.ollama.enqueue(Reply.tokens("ok"));

        HttpResponse<String> r = f.send(f.get("api/chat/stream/?message=Ol%C3%A1", token));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("event: done");
    }

    @Test
    void shouldNeverLogTokensOrMessages() {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getLoggerName() + " " + record.getMessage()
                        + (record.getThrown() == null ? "" : " " + record.getThrown()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            f.ollama.enqueue(Reply.tokens("ok"));
            f.chat("segredo-da-ana");
            f.send(f.post("api/chat/stream/", f.anaToken + "x", "{\"message\": \"segredo-da-ana\"}"));
            f.send(f.get("api/chat/stream/?message=segredo-da-ana&token=" + f.ruiToken, null));
        } finally {
            root.removeHandler(capture);
        }

        assertThat(lines).anyMatch(l -> l.contains("path=/api/chat/stream/ user=ana status=200"));
        assertThat(String.join("\n", lines)).doesNotContain(f.anaToken).doesNotContain(f.ruiToken)
                .doesNotContain("segredo-da-ana");
    }

    /** Issue 22, finding 8: with metrics.token set, only a scraper that sends it reads /metrics. */
    @Test
    void shouldAskForTheScrapeTokenWhenOneIsSet() {
        String scrape = "scrape-token-0123456789abcdef";
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger("").addHandler(capture);
        try (ServerFixture guarded = new ServerFixture(env -> {
            env.put("CHATSTREAM_METRICS_TOKEN", scrape);
            return env;
        })) {
            HttpResponse<String> none = guarded.send(guarded.get("metrics", null));
            HttpResponse<String> wrong = guarded.send(guarded.get("metrics", scrape + "x"));
            HttpResponse<String> usersToken = guarded.send(guarded.get("metrics", guarded.anaToken));
            HttpResponse<String> right = guarded.send(guarded.get("metrics", scrape));

            for (HttpResponse<String> refused : List.of(none, wrong, usersToken)) {
                assertThat(refused.statusCode()).isEqualTo(401);
                assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
                assertThat(ConversationsIT.withoutRequestId(refused.body())).isEqualTo("{\"error\": \"GET /metrics needs the scrape token "
                        + "(metrics.token) as \\\"Authorization: Bearer <token>\\\"; in Prometheus, set "
                        + "authorization.credentials\", \"code\": \"unauthorized\"}");
            }
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(right.body()).contains("chatstream_streams_active");
            assertThat(guarded.firstStartOutput).doesNotContain(scrape);
        } finally {
            Logger.getLogger("").removeHandler(capture);
        }
        assertThat(String.join("\n", lines)).doesNotContain(scrape);
        assertThat(f.send(f.get("metrics", null)).statusCode()).as("without the setting, no token").isEqualTo(200);
    }
}
