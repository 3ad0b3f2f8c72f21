package dev.chatstream.app;

import dev.chatstream.core.Json;
import dev.chatstream.core.MutableClock;
import dev.chatstream.core.UserId;
import dev.chatstream.ollama.FakeOllama;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A real server on a random port in front of a fake Ollama, with two users (ana, rui) and their tokens.
 * Clients speak HTTP/1.1 (the JDK client's h2c upgrade breaks SSE against Grizzly).
 */
final class ServerFixture implements AutoCloseable {
    final FakeOllama ollama = FakeOllama.start();
    /** The server's one clock: tests move it past a deadline instead of sleeping through it. */
    final MutableClock clock = new MutableClock(java.time.Instant.parse("2026-12-01T10:00:00Z"));
    final Path dataDir;
    final Server server;
    final String anaToken;
    final String ruiToken;
    final String firstStartOutput;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    ServerFixture() {
        this(c -> c);
    }

    ServerFixture(UnaryOperator<Map<String, String>> settings) {
        try {
            dataDir = Files.createTempDirectory("chatstream-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "CHATSTREAM_PORT", "0",
                "CHATSTREAM_OLLAMA_URL", ollama.baseUrl().toString(),
                "CHATSTREAM_DATA_DIR", dataDir.toString(),
                "CHATSTREAM_SHUTDOWN_SECONDS", "5"));
        env = settings.apply(env);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        server = Server.start(AppConfig.load(List.of(), env), new PrintStream(console, true, StandardCharsets.UTF_8),
                clock, consoleIsATerminal(env));
        firstStartOutput = console.toString(StandardCharsets.UTF_8);
        anaToken = server.createToken(UserId.of("ana"));
        ruiToken = server.createToken(UserId.of("rui"));
    }

    /**
     * Writes the built-in Home Assistant policy with {@code users} named in {@code high_impact_users} (so they
     * may ask for locks and covers, still with confirmation) to a file in a new temporary directory.
     */
    static Path defaultPolicyNaming(String... users) {
        try (java.io.InputStream in = ServerFixture.class.getClassLoader()
                .getResourceAsStream("dev/chatstream/homeassistant/default-policy.json")) {
            com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.node.ObjectNode policy =
                    (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(in);
            com.fasterxml.jackson.databind.node.ArrayNode names = policy.putArray("high_impact_users");
            for (String user : users) {
                names.add(user);
            }
            Path file = Files.createTempDirectory("chatstream-policy").resolve("policy.json");
            Files.writeString(file, mapper.writeValueAsString(policy));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first start prints its token only to a terminal; a test says which it plays with TEST_CONSOLE. */
    private static boolean consoleIsATerminal(Map<String, String> env) {
        return !"pipe".equals(env.get("TEST_CONSOLE"));
    }

    URI uri(String path) {
        return server.baseUri().resolve(path);
    }

    HttpRequest.Builder post(String path, String token, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    HttpRequest.Builder get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET();
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    HttpRequest.Builder delete(String path, String token) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).DELETE()
                .header("Authorization", "Bearer " + token);
    }

    HttpRequest.Builder put(String path, String token, String json) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofString(json));
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Posts {@code {"message": ...}} as ana and returns the whole response. */
    HttpResponse<String> chat(String message) {
        return send(post("api/chat/stream/", anaToken, "{\"message\": " + Json.write(message) + "}"));
    }

    /**
     * Waits up to 30 s until {@code expected} streams hold a slot and returns the count then. A stream frees its
     * slot only after its turn is stored, which can be a moment after the client or the fake Ollama saw the end.
     */
    int awaitOpenStreams(int expected) {
        dev.chatstream.http.ChatServer slots = server.http();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (slots.streamsOpen() != expected && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return slots.streamsOpen();
    }

    @Override
    public void close() {
        server.close();
        ollama.close();
    }
}
