package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.ollama.FakeOllama.Reply;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Debian's nginx, started with exactly {@code docs/nginx/chatstream.conf} in front of a real server: events
 * must come through one by one, not in one burst at the end. {@code .ci/run} installs nginx; where it is
 * missing, this test says so and is skipped.
 */
class NginxIT {
    private static final int TOKENS = 20;
    private static final Duration PACE = Duration.ofMillis(50);

    /** Heartbeats every second, so that a quiet stream outlives nginx's read timeout (2 s here) in seconds. */
    private final ServerFixture f = new ServerFixture(env -> {
        env.put("CHATSTREAM_HEARTBEAT_SECONDS", "1");
        return env;
    });
    private Process nginx;
    private int port;

    @BeforeEach
    void startNginx() throws Exception {
        port = freePort();
        String site = Files.readString(Path.of("../docs/nginx/chatstream.conf"))
                .replace("server 127.0.0.1:8080;", "server 127.0.0.1:" + f.server.port() + ";")
                .replace("listen 80;", "listen 127.0.0.1:" + port + ";")
                // nginx's default read timeout is 60 s, heartbeats come every 15 s: the same shape, scaled down to
                // a 2 s timeout and 1 s heartbeats, shows that only the heartbeats keep a quiet stream open
                // (shouldKeepAQuietStreamOpenPastNginxsReadTimeout)
                .replace("proxy_read_timeout 1h;", "proxy_read_timeout 2s;")
                // the scraper's address is not this test's, so /metrics must be refused to it in every spelling
                .replace("allow 127.0.0.1;", "allow 192.0.2.1;");
        nginx = start(site, port);
    }

    /** Debian's nginx running {@code site} (a server block) alone, listening on {@code port}; skipped without it. */
    static Process start(String site, int port) throws Exception {
        Optional<Path> binary = Stream.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx")
                .map(Path::of).filter(Files::isExecutable).findFirst();
        Assumptions.assumeTrue(binary.isPresent(),
                "nginx is not installed (apt-get install nginx-light); .ci/run installs it, so CI runs this test");
        Path dir = Files.createTempDirectory("chatstream-nginx");
        Files.writeString(dir.resolve("site.conf"), site);
        Files.writeString(dir.resolve("nginx.conf"), """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 256; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    include %1$s/site.conf;
                }
                """.formatted(dir));
        Process process = new ProcessBuilder(binary.get().toString(), "-p", dir.toString(), "-e",
                dir + "/error.log", "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!listening(port)) {
            assertThat(process.isAlive()).as("nginx runs: " + Files.readString(dir.resolve("stdout.log"))).isTrue();
            assertThat(System.nanoTime()).as("nginx listens within 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        return process;
    }

    @AfterEach
    void stop() {
        if (nginx != null) {
            nginx.destroy();
        }
        f.close();
    }

    @Test
    void shouldPassEventsOnOneByOne() throws Exception {
        enqueuePacedReply();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/chat/stream/"))
                .header("Authorization", "Bearer " + f.anaToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"Olá\"}")).build();

        Timed read = read(request);
        List<Long> chunkTimes = read.at(line -> line.startsWith("data: {\"type\": \"chunk\""));
        long doneAt = read.at(line -> line.equals("event: done")).getFirst();

        System.out.println("through nginx: first chunk at " + chunkTimes.get(0) + " ms, last at "
                + chunkTimes.get(chunkTimes.size() - 1) + " ms, done at " + doneAt + " ms");
        assertThat(read.response().statusCode()).isEqualTo(200);
        assertThat(read.response().headers().firstValue("X-Request-Id")).isPresent();
        assertThat(chunkTimes).hasSize(TOKENS);
        long upstreamSpan = PACE.toMillis() * (TOKENS - 1);
        assertThat(doneAt - chunkTimes.get(0)).as("chunks spread over the upstream's %d ms", upstreamSpan)
                .isGreaterThan(upstreamSpan / 2);
        assertThat(chunkTimes.get(TOKENS / 2) - chunkTimes.get(0)).as("the middle chunk came well after the first")
                .isGreaterThan(upstreamSpan / 4);
    }

    /** {@value #TOKENS} tokens, {@link #PACE} apart, for the next chat. */
    private void enqueuePacedReply() {
        Reply reply = Reply.stream().paced(PACE);
        for (int i = 0; i < TOKENS; i++) {
            reply = reply.token("t" + i + " ");
        }
        f.ollama.enqueue(reply.done());
    }

    /** A response and when (ms after the request) each of its lines arrived. */
    private record Timed(HttpResponse<InputStream> response, List<String> lines, List<Long> times) {
        List<Long> at(java.util.function.Predicate<String> which) {
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                if (which.test(lines.get(i))) {
                    out.add(times.get(i));
                }
            }
            return out;
        }
    }

    private Timed read(HttpRequest request) throws Exception {
        long start = System.nanoTime();
        HttpResponse<InputStream> r = f.client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        List<String> lines = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                lines.add(line);
                times.add((System.nanoTime() - start) / 1_000_000);
            }
        }
        return new Timed(r, lines, times);
    }

    /** Issue 22, finding 8: the metrics are the scraper's only, however the path is written. */
    @Test
    void shouldRefuseMetricsToAnyoneButTheScraperInEverySpelling() throws Exception {
        for (String path : List.of("/metrics", "/metrics/", "/metrics;x", "/metrics?x=1", "/metrics%2F")) {
            HttpResponse<String> r = f.client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(403);
            assertThat(r.body()).as(path).doesNotContain("chatstream_");
        }
        assertThat(f.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/health"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldCarryNginxsRequestIdAndAnswerHealth() throws Exception {
        HttpResponse<String> r = f.client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/health")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f]{32}");
    }

    @Test
    void shouldKeepAQuietStreamOpenPastNginxsReadTimeout() throws Exception {
        // A model that loads for three times nginx's read timeout, as a 3-minute load would against the default.
        f.ollama.enqueue(Reply.stream().pause(Duration.ofSeconds(6)).token("Pronto.").done());
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/chat/stream/"))
                .header("Authorization", "Bearer " + f.anaToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"Olá\"}")).build();

        long start = System.nanoTime();
        HttpResponse<InputStream> r = f.client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        List<Long> pings = new ArrayList<>();
        long openedAt = -1;
        StringBuilder body = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                long ms = (System.nanoTime() - start) / 1_000_000;
                if (line.equals(": stream open")) {
                    openedAt = ms;
                }
                if (line.equals(": ping")) {
                    pings.add(ms);
                }
                body.append(line).append('\n');
            }
        }
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        System.out.println("6 s model load through nginx (read timeout 2 s, heartbeat 1 s): opened at " + openedAt
                + " ms, pings at " + pings + ", ended at " + tookMs + " ms");
        assertThat(openedAt).as("the client sees the stream open at once (a loading state)").isBetween(0L, 2_000L);
        assertThat(pings).as("a heartbeat every second").hasSizeGreaterThanOrEqualTo(4);
        assertThat(tookMs).as("the stream outlived nginx's read timeout three times over").isGreaterThanOrEqualTo(6_000);
        SseEvents events = SseEvents.parse(body.toString());
        assertThat(events.names()).containsExactly("message", "final_text", "done");
        assertThat(events.events().getFirst().data()).contains("Pronto.");
    }

    @Test
    void shouldCloseTheUpstreamWhenTheClientLeavesThroughNginx() throws Exception {
        f.ollama.enqueue(Reply.stream().token("Era ").stall());
        long closedAt;
        try (Socket client = new Socket("127.0.0.1", port)) {
            byte[] body = "{\"message\": \"Olá\"}".getBytes(StandardCharsets.UTF_8);
            client.getOutputStream().write(("POST /api/chat/stream/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + f.anaToken + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().write(body);
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && !line.contains("Era "); ) {
                // read until the first chunk has come through nginx
            }
            closedAt = System.nanoTime();
        }

        assertThat(f.ollama.awaitClientDisconnect(Duration.ofSeconds(10))).as("nginx closed its request, chatstream "
                + "closed Ollama's").isTrue();
        long tookMs = (System.nanoTime() - closedAt) / 1_000_000;
        System.out.println("client gone through nginx -> upstream closed in " + tookMs + " ms");
        assertThat(tookMs).isLessThan(3_000);
    }

    /** Issue 24: OpenAI's door through the same nginx: chunks one by one, not in a burst at the end. */
    @Test
    void shouldPassAnOpenAiStreamOnChunkByChunk() throws Exception {
        enqueuePacedReply();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + f.anaToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"llama3.2\", \"stream\": true, "
                        + "\"messages\": [{\"role\": \"user\", \"content\": \"Olá\"}]}")).build();

        Timed read = read(request);
        List<Long> chunkTimes = read.at(line -> line.contains("\"delta\": {\"content\": \"t"));

        assertThat(read.response().statusCode()).isEqualTo(200);
        assertThat(chunkTimes).hasSize(TOKENS);
        long upstreamSpan = PACE.toMillis() * (TOKENS - 1);
        assertThat(chunkTimes.get(TOKENS - 1) - chunkTimes.get(0)).as("chunks spread over the upstream's %d ms",
                upstreamSpan).isGreaterThan(upstreamSpan / 2);
    }

    /**
     * Issue 24: docs/nginx/home-assistant-ollama.conf as Home Assistant meets it: ollama-js sending no token (as Home
     * Assistant's integration sends none) lists the models and chats through it as the configured user; nothing
     * else of chatstream's is reachable there; another address is refused.
     */
    @Test
    void shouldLetHomeAssistantChatThroughItsOwnNginxWithoutAToken() throws Exception {
        int haPort = freePort();
        String site = Files.readString(Path.of("../docs/nginx/home-assistant-ollama.conf"))
                .replace("listen 11434;", "listen 127.0.0.1:" + haPort + ";")
                .replace("allow 192.168.1.10;", "allow 127.0.0.1;")
                .replace("http://127.0.0.1:8080;", "http://127.0.0.1:" + f.server.port() + ";")
                .replace("cs_REPLACE_WITH_THE_TOKEN", f.ruiToken);
        Process ha = start(site, haPort);
        try {
            f.ollama.enqueue(Reply.tokens("A luz ", "está ligada."));
            Map<String, String> env = Map.of("CHATSTREAM_URL", "http://127.0.0.1:" + haPort + "/");
            JsonNode list = NodeClient.run(f, "", "ollama-client.mjs", "list", env);
            assertThat(list.get("names")).extracting(JsonNode::asText).contains("llama3.2:latest");
            JsonNode chat = NodeClient.run(f, "", "ollama-client.mjs", "stream", env);
            assertThat(chat.get("content").asText()).isEqualTo("A luz está ligada.");
            assertThat(chat.get("done").asBoolean()).isTrue();

            HttpResponse<String> memories = f.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + haPort + "/api/memories")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(memories.statusCode()).as("only Ollama's routes").isEqualTo(404);
            String strict = site.replace("allow 127.0.0.1;", "allow 192.0.2.1;");
            Process other = null;
            int otherPort = freePort();
            try {
                other = start(strict.replace("listen 127.0.0.1:" + haPort + ";", "listen 127.0.0.1:" + otherPort
                        + ";"), otherPort);
                HttpResponse<String> refused = f.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + otherPort + "/api/tags")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as("another address than Home Assistant's").isEqualTo(403);
            } finally {
                if (other != null) {
                    other.destroy();
                }
            }
        } finally {
            ha.destroy();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
