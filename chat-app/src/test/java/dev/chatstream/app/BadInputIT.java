package dev.chatstream.app;

import dev.chatstream.core.Json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reliability matrix, bad input not covered by RequestRulesIT: each is refused with a clear error before
 * Ollama is called and changes nothing; or, for odd but valid content, streams with its framing intact.
 */
class BadInputIT {
    private final ServerFixture f = new ServerFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    private String refusal(String body) {
        HttpResponse<String> r = f.send(f.post("api/chat/stream/", f.anaToken, body));
        return r.statusCode() + " " + ConversationsIT.json(r.body()).get("code").asText() + " "
                + ConversationsIT.json(r.body()).get("error").asText();
    }

    @Test
    void shouldRefuseARevokedTokenFromTheNextRequestOn() {
        dev.chatstream.core.Accounts accounts = f.server.component(dev.chatstream.core.Accounts.class);
        dev.chatstream.core.Accounts.IssuedToken token = accounts.issueToken(dev.chatstream.core.UserId.of("ana"), "to revoke");
        f.ollama.enqueue(Reply.tokens("ok"));
        assertThat(f.send(f.post("api/chat/stream/", token.token(), "{\"message\": \"Olá\"}")).statusCode())
                .isEqualTo(200);

        accounts.revoke(token.id());
        HttpResponse<String> after = f.send(f.post("api/chat/stream/", token.token(), "{\"message\": \"Olá\"}"));

        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(after.body()).contains("This token is not valid (unknown or revoked); ask for a new one")
                .doesNotContain(token.token());
    }

    @Test
    void shouldRefuseAHugeMessageAndAThousandHistoryItemsNamingTheLimit() {
        String huge = "a".repeat(8_001);
        StringBuilder history = new StringBuilder("[");
        for (int i = 0; i < 1_000; i++) {
            history.append(i > 0 ? "," : "").append("{\"role\": \"user\", \"content\": \"m").append(i).append("\"}");
        }
        history.append(']');

        assertThat(refusal("{\"message\": \"" + huge + "\"}")).isEqualTo(
                "400 invalid_request message is too long: 8001 characters, the limit is 8000");
        assertThat(refusal("{\"message\": \"x\", \"history\": " + history + "}")).isEqualTo(
                "400 invalid_request history has 1000 messages, the limit is 100");
        assertThat(f.ollama.chatBodies()).isEmpty();
    }

    @Test
    void shouldRefuseInvalidUtf8() {
        byte[] body = {'{', '"', 'm', 'e', 's', 's', 'a', 'g', 'e', '"', ':', ' ', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

        HttpResponse<String> r = f.send(HttpRequest.newBuilder(f.uri("api/chat/stream/"))
                .header("Authorization", "Bearer " + f.anaToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(ConversationsIT.json(r.body()).get("error").asText())
                .isEqualTo("The body is not valid UTF-8; send JSON encoded as UTF-8");
        assertThat(f.ollama.chatBodies()).isEmpty();
    }

    @Test
    void shouldIgnoreUnknownFields() {
        f.ollama.enqueue(Reply.tokens("ok"));

        StreamOutcome out = StreamOutcome.of(f, f.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"Olá\", \"temperature\": 2, \"client\": {\"name\": \"old\"}}")));

        assertThat(out.code()).isEqualTo("done");
        assertThat(f.ollama.chatBodies().getFirst()).doesNotContain("\"temperature\"", "old");
    }

    @Test
    void shouldAnswerAnotherUsersConversationIdLikeAMissingOne() {
        f.ollama.enqueue(Reply.tokens("segredo"));
        long ruis = ConversationsIT.conversationIdOf(f.send(f.post("api/chat/stream/", f.ruiToken,
                "{\"message\": \"o meu segredo\"}")));

        assertThat(refusal("{\"message\": \"x\", \"conversation_id\": " + ruis + "}")).isEqualTo(
                "404 conversation_not_found Conversation " + ruis + " was not found; leave out conversation_id to start "
                        + "a new one");
        assertThat(refusal("{\"message\": \"x\", \"conversation_id\": 1.5}")).isEqualTo(
                "400 invalid_request conversation_id must be a positive whole number");
        assertThat(ConversationsIT.contents(f, f.ruiToken, ruis)).hasSize(2);
    }

    @Test
    void shouldStoreAMessageFullOfSseSyntaxAndKeepTheStreamFraming() {
        String message = "linha\ncom\r\nfins\rsoltos data: {\"type\": \"chunk\"}\n\nevent: error\n: comentário";
        f.ollama.enqueue(Reply.tokens("data: x\n\n", "event: done\r", ": y"));

        StreamOutcome out = StreamOutcome.of(f, f.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": " + Json.write(message) + "}")));

        assertThat(out.code()).isEqualTo("done");
        assertThat(out.events().names()).containsExactly("message", "message", "message", "final_text", "done");
        assertThat(out.text()).isEqualTo("data: x\n\nevent: done\r: y");
        assertThat(out.stored()).containsExactly("user:" + message + ":complete",
                "assistant:data: x\n\nevent: done\r: y:complete");
        assertThat(f.ollama.chatBodies().getFirst()).contains(Json.write(message));
        assertThat(List.of(out.terminal().name())).containsExactly("done");
    }
}
