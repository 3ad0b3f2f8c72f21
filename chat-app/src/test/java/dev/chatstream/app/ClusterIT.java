package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.ollama.FakeOllama;
import dev.chatstream.ollama.FakeOllama.Reply;
import dev.chatstream.redis.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, the cluster as docs/scale-out.md sets it up, every part real: two server processes ({@code target/chat.jar
 * serve}, as {@code bin/chatstream-server} runs it) on one PostgreSQL database and one redis-server, Debian's nginx in
 * front with {@code docs/nginx/chatstream.conf} and both nodes as upstreams, one fake Ollama. A node killed with
 * {@code kill -9} mid-reply: a client resuming through the other gets {@code node_lost} within the lease, the stored
 * turn is {@code failed}, the other node serves on. A rolling restart (SIGTERM A, start A again, then B) while 50
 * resumable turns stream through nginx: every turn completes for its client, each event once, in order.
 */
class ClusterIT {
    private final RedisServer redis = RedisServer.start();
    private final dev.chatstream.store.StoreConfig database = dev.chatstream.store.TestPostgres.shared().newDatabase();
    private final FakeOllama ollama = FakeOllama.start();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Node> nodes = new ArrayList<>();
    private Process nginx;

    @AfterEach
    void stop() {
        if (nginx != null) {
            nginx.destroy();
        }
        nodes.forEach(Node::kill);
        ollama.close();
        redis.close();
    }

    /** One server process; its output is kept for the assertion messages. */
    private final class Node {
        final int port;
        final Path data;
        final Process process;
        final StringBuffer output = new StringBuffer();
        private final Thread reader;

        Node(int port) throws Exception {
            this.port = port;
            this.data = Files.createTempDirectory("chatstream-node");
            List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "-jar", Path.of("target", "chat.jar").toAbsolutePath()
                            .toString(), "serve", "--port=" + port);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            Map<String, String> env = builder.environment();
            env.put("CHATSTREAM_DATA_DIR", data.toString());
            env.put("CHATSTREAM_OLLAMA_URL", ollama.baseUrl().toString());
            env.put("CHATSTREAM_REDIS_URL", redis.url());
            env.put("CHATSTREAM_STORE_URL", database.jdbcUrl());
            env.put("CHATSTREAM_STORE_USER", database.username());
            if (database.password() != null) {
                env.put("CHATSTREAM_STORE_PASSWORD", database.password());
            }
            env.put("CHATSTREAM_SHUTDOWN_SECONDS", "60");
            env.put("CHATSTREAM_LIMITS_RATE_BURST", "1000");
            env.put("CHATSTREAM_LIMITS_STREAMS_PER_USER", "100");
            process = builder.start();
            CountDownLatch listening = new CountDownLatch(1);
            reader = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        output.append(line).append('\n');
                        if (line.contains("chatstream listening on")) {
                            listening.countDown();
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            assertThat(listening.await(60, java.util.concurrent.TimeUnit.SECONDS))
                    .as("node on port %d listens; its output:%n%s", port, output).isTrue();
            nodes.add(this);
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + "/" + path);
        }

        /** SIGTERM, and waits until the process has drained and ended. */
        void terminate() throws InterruptedException {
            // through its handle: Process.destroy() would also close the pipes, and what it says while it drains is lost
            process.toHandle().destroy();
            assertThat(process.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)).as("drained and ended:%n%s", output)
                    .isTrue();
            reader.join(10_000); // what it wrote last is read to the end
            assertThat(process.exitValue()).as(output.toString()).isIn(0, 143);
        }

        /** SIGKILL ({@code kill -9}). */
        void kill() {
            process.destroyForcibly();
            try {
                process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The admin token the first node made on its first start (both share the database's users). */
    private static String token(Node first) throws IOException {
        return Files.readString(first.data.resolve(Server.FIRST_TOKEN_FILE)).strip();
    }

    private static HttpRequest.Builder post(URI uri, String token, String json) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private static HttpRequest.Builder get(URI uri, String token) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer " + token)
                .GET();
    }

    @Test
    void shouldEndTheTurnOfANodeKilledMidReplyWithNodeLostForAClientResumingThroughTheOther() throws Exception {
        Node a = new Node(NginxIT.freePort());
        String token = token(a);
        Node b = new Node(NginxIT.freePort());
        ollama.enqueue(Reply.stream().token("Era ").token("uma ").pause(Duration.ofMinutes(2)).token("vez.").done());
        HttpResponse<InputStream> started = client.send(post(a.uri("api/chat/stream/"), token,
                "{\"message\": \"Conta uma história\", \"resumable\": true}").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(started.statusCode()).isEqualTo(200);
        String turn = started.headers().firstValue("X-Turn-Id").orElseThrow();
        long conversation = Long.parseLong(started.headers().firstValue("X-Conversation-Id").orElseThrow());
        readUpTo(started.body(), "id: " + turn + ":2");
        // node B has both events too (the copy in Redis follows each event within a round trip)
        HttpResponse<InputStream> peek = client.send(get(b.uri("api/chat/turns/" + turn + "/events"), token).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        readUpTo(peek.body(), "id: " + turn + ":2");

        long killed = System.nanoTime();
        a.kill();
        ollama.enqueue(Reply.tokens("Olá!"));
        HttpResponse<String> meanwhile = client.send(post(b.uri("api/chat/stream/"), token, "{\"message\": \"Olá\"}")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(SseEvents.parse(meanwhile.body()).names()).as("node B serves on").endsWith("done");

        HttpResponse<String> resumed = client.send(get(b.uri("api/chat/turns/" + turn + "/events"), token)
                .header("Last-Event-ID", turn + ":2").build(), HttpResponse.BodyHandlers.ofString());
        long tookMs = Duration.ofNanos(System.nanoTime() - killed).toMillis();
        SseEvents events = SseEvents.parse(resumed.body());
        assertThat(events.names()).as(resumed.body()).containsExactly("error");
        JsonNode error = ConversationsIT.json(events.last().data());
        assertThat(error.get("code").asText()).isEqualTo("node_lost");
        assertThat(error.get("error").asText()).contains("send it again");
        assertThat(events.last().id()).isEqualTo(turn + ":3");
        System.out.println("kill -9 of the node mid-reply -> node_lost through the other node in " + tookMs + " ms");
        assertThat(tookMs).as("within the node lease (10 s) and a renewal (2 s), with room for a busy machine")
                .isLessThan(30_000);

        JsonNode stored = waitForStored(b, token, conversation);
        assertThat(stored.get("messages").get(1).get("status").asText()).isEqualTo("failed");
        assertThat(stored.get("messages").get(1).get("content").asText()).isEqualTo("Era uma");
    }

    /** The conversation once its reply is stored (the node that noticed the loss stores it right after). */
    private JsonNode waitForStored(Node node, String token, long conversation) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            JsonNode c = ConversationsIT.json(client.send(get(node.uri("api/conversations/" + conversation), token)
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            if (c.get("messages").size() == 2 || System.nanoTime() > deadline) {
                assertThat(c.get("messages")).as(c.toString()).hasSize(2);
                return c;
            }
            Thread.sleep(100);
        }
    }

    /** Reads lines until one that starts with {@code prefix}, then closes the stream (the client leaves). */
    private static void readUpTo(InputStream body, String prefix) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith(prefix)) {
                    return;
                }
            }
        }
        throw new AssertionError("the stream ended before " + prefix);
    }

    /** What one client of the rolling restart got. */
    record Outcome(String turn, List<Long> seqs, List<String> names, String text, int resumes, int refusals) {
    }

    @Test
    void shouldCompleteEveryTurnForItsClientThroughARollingRestart() throws Exception {
        int[] ports = {NginxIT.freePort(), NginxIT.freePort()};
        Node a = new Node(ports[0]);
        String token = token(a);
        Node b = new Node(ports[1]);
        int nginxPort = NginxIT.freePort();
        String site = Files.readString(Path.of("../docs/nginx/chatstream.conf"))
                .replace("server 127.0.0.1:8080;", "server 127.0.0.1:" + ports[0] + "; server 127.0.0.1:" + ports[1] + ";")
                .replace("listen 80;", "listen 127.0.0.1:" + nginxPort + ";");
        nginx = NginxIT.start(site, nginxPort);
        URI front = URI.create("http://127.0.0.1:" + nginxPort + "/");

        int turns = 50;
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < turns; i++) {
            List<String> pieces = new ArrayList<>();
            for (int t = 0; t < 40; t++) {
                pieces.add("t" + i + "w" + t + " ");
            }
            texts.add(String.join("", pieces).strip());
            Reply reply = Reply.stream().paced(Duration.ofMillis(200));
            pieces.forEach(reply::token);
            ollama.enqueue(reply.done());
        }
        List<Future<Outcome>> outcomes = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < turns / 2; i++) { // the first half before the restart begins
                int n = i;
                outcomes.add(clients.submit(() -> converse(front, token, n)));
            }
            assertThat(ollama.awaitChatRequests(turns / 2, Duration.ofSeconds(30))).isTrue();
            a.terminate(); // drains: its replies stream to their ends, new chats go to B meanwhile
            assertThat(a.output.toString()).contains("chatstream: stopping: draining ",
                    "chatstream: stopping: every reply ended, in ");
            for (int i = turns / 2; i < turns; i++) { // the second half while A is gone and comes back
                int n = i;
                outcomes.add(clients.submit(() -> converse(front, token, n)));
            }
            Node a2 = new Node(ports[0]);
            b.terminate();
            Node b2 = new Node(ports[1]);
            assertThat(a2.process.isAlive() && b2.process.isAlive()).isTrue();

            int resumes = 0;
            int refusals = 0;
            List<String> got = new ArrayList<>();
            for (Future<Outcome> f : outcomes) {
                Outcome o = f.get(180, java.util.concurrent.TimeUnit.SECONDS);
                List<Long> expected = java.util.stream.LongStream.rangeClosed(1, o.seqs().size()).boxed().toList();
                assertThat(o.seqs()).as("turn %s: each event once, in order, no gap", o.turn()).isEqualTo(expected);
                assertThat(o.names()).as("turn %s", o.turn()).endsWith("final_text", "done");
                got.add(o.text());
                resumes += o.resumes();
                refusals += o.refusals();
            }
            assertThat(got).as("every turn completed for its client").containsExactlyInAnyOrderElementsOf(texts);
            assertThat(ollama.chatBodies()).as("no turn ran twice").hasSize(turns);
            System.out.println("rolling restart of 2 nodes under " + turns + " resumable turns through nginx: "
                    + resumes + " resumes, " + refusals + " refusals answered by the client");
        }
    }

    /**
     * A client that wants its whole reply: starts a resumable turn through nginx, reads it, resumes after a cut with
     * Last-Event-ID (as EventSource does), sends again only after a refusal (503: nothing ran).
     */
    private Outcome converse(URI front, String token, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        String turn = null;
        List<SseEvents.Event> events = new ArrayList<>();
        int resumes = 0;
        int refusals = 0;
        while (System.nanoTime() < deadline) {
            HttpRequest request = turn == null
                    ? post(front.resolve("api/chat/stream/"), token, "{\"message\": \"história " + n
                            + "\", \"resumable\": true}").build()
                    : get(front.resolve("api/chat/turns/" + turn + "/events"), token)
                            .header("Last-Event-ID", turn + ":" + (events.isEmpty() ? 0
                                    : seqOf(events.getLast()))).build();
            HttpResponse<InputStream> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                refusals++;
                Thread.sleep(200);
                continue;
            }
            if (response.statusCode() != 200) {
                response.body().close();
                assertThat(response.statusCode()).as("turn %s, %s", turn, request.uri()).isIn(502, 503, 504);
                refusals++;
                Thread.sleep(200);
                continue;
            }
            if (turn == null) {
                turn = response.headers().firstValue("X-Turn-Id").orElseThrow();
            } else {
                resumes++;
            }
            String body = readWhole(response.body());
            int end = body.lastIndexOf("\n\n"); // a frame cut in the middle does not count
            events.addAll(SseEvents.parse(end < 0 ? "" : body.substring(0, end + 2)).events());
            if (!events.isEmpty() && (events.getLast().name().equals("done")
                    || events.getLast().name().equals("error"))) {
                break;
            }
        }
        StringBuilder text = new StringBuilder();
        for (SseEvents.Event e : events) {
            if (e.name().equals("final_text")) {
                text.append(ConversationsIT.json(e.data()).get("text").asText());
            }
        }
        return new Outcome(turn, events.stream().map(ClusterIT::seqOf).toList(),
                events.stream().map(SseEvents.Event::name).toList(), text.toString(), resumes, refusals);
    }

    private static long seqOf(SseEvents.Event e) {
        Matcher m = Pattern.compile(":(\\d+)$").matcher(e.id());
        assertThat(m.find()).as(e.toString()).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** The body up to its end, or up to where the connection broke. */
    private static String readWhole(InputStream body) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (body) {
            body.transferTo(out);
        } catch (IOException e) {
            // cut: what came is kept
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
