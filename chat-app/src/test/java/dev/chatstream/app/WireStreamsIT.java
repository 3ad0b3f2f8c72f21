package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whole streams, byte for byte: the golden files under {@code src/test/resources/wire/streams/} were captured from
 * the server as it was before the composition module (main at 589f15b), with the same fake replies in the same
 * order (status line and streaming headers, then the body; request ids masked). The server must still send exactly
 * those bytes.
 */
class WireStreamsIT {
    private static final String ACTION = "ACTION: {\"tool\": \"homeassistant_call_service\", \"args\": {\"domain\": "
            + "\"light\", \"service\": \"turn_on\", \"entity_id\": \"light.sala\"}}";

    private final ServerFixture f = new ServerFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    private String stream(Reply reply, HttpRequest.Builder request) {
        f.ollama.enqueue(reply);
        HttpResponse<String> r = f.send(request);
        String turn = r.headers().firstValue("X-Turn-Id").orElseThrow();
        assertThat(turn).as("128 random bits, URL-safe").matches("[A-Za-z0-9_-]{22}");
        return r.statusCode() + " " + r.headers().firstValue("Content-Type").orElse("") + " "
                + r.headers().firstValue("Cache-Control").orElse("") + " "
                + r.headers().firstValue("X-Accel-Buffering").orElse("") + "\n"
                + r.body().replaceAll("\"request_id\": \"[^\"]+\"", "\"request_id\": \"REQUEST_ID\"")
                        .replace("id: " + turn + ":", "id: TURN:");
    }

    private static String golden(String name) {
        try (InputStream in = WireStreamsIT.class.getResourceAsStream("/wire/streams/" + name + ".sse")) {
            assertThat(in).as("golden stream %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shouldSendTheSameBytesAsBefore() {
        // One server, in this order: conversation ids count up as they did when the files were captured.
        assertThat(stream(Reply.tokens("Olá ", "🌍 — já ", "ligo a luz: \"sala\"\n\ndata: não\n", "fim.\n", ACTION),
                f.post("api/chat/stream/", f.anaToken, "{\"message\": \"Liga a luz da sala\"}")))
                .isEqualTo(golden("reply-with-action"));
        assertThat(stream(Reply.tokens("Feito.\n", "ACTION: {not json"),
                f.post("api/chat/stream/", f.anaToken, "{\"message\": \"Liga\"}")))
                .isEqualTo(golden("bad-action"));
        assertThat(stream(Reply.stream().thinking("Hmm, ").thinking("a luz.").token("Sim.").done(),
                f.post("api/chat/stream/", f.anaToken, "{\"message\": \"Pensa\", \"include_thinking\": true}")))
                .isEqualTo(golden("thinking"));
        assertThat(stream(Reply.stream().token("Era ").errorLine("model runner crashed"),
                f.post("api/chat/stream/", f.anaToken, "{\"message\": \"Conta\"}")))
                .isEqualTo(golden("upstream-error"));
        assertThat(stream(Reply.tokens("Olá!"), f.get("api/chat/stream/?message=Ol%C3%A1", f.anaToken)))
                .isEqualTo(golden("get-form"));
    }
}
