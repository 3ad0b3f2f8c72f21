package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.ollama.FakeOllama.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 27, item 8: the React hook {@code useChatStream} (the old system's shape), as the server serves it
 * ({@code /static/use-chat-stream.js} and {@code chat-stream-client.js}), rendered with React 19 from npm and React
 * Testing Library in jsdom ({@code src/test/js/react-hook.mjs}) against the real server and a fake Ollama: the reply
 * streams into {@code currentStreamingMessage} and lands in {@code messages}, the action in {@code action}; a Stop
 * of a new conversation's first reply and the next message stay one conversation with its history.
 */
class ReactHookIT {
    private final ServerFixture f = new ServerFixture();

    @BeforeEach
    void copyTheServedFiles() throws IOException {
        Path served = NodeClient.DIR.resolve("served");
        Files.createDirectories(served);
        for (String name : new String[] {"use-chat-stream.js", "chat-stream-client.js", "use-chat-stream.d.ts"}) {
            HttpResponse<String> file = f.send(f.get("static/" + name, null));
            assertThat(file.statusCode()).as(name).isEqualTo(200);
            Files.writeString(served.resolve(name), file.body());
        }
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private JsonNode hook(String scenario) {
        return NodeClient.run(f, f.anaToken, "react-hook.mjs", scenario, Map.of());
    }

    @Test
    void shouldStreamTheReplyIntoTheComponentAndKeepTheAction() {
        Reply reply = Reply.stream().paced(Duration.ofMillis(30));
        for (String piece : new String[] {"Vou ", "ligar ", "o ", "ar ", "da ", "sala.\n"}) {
            reply.token(piece);
        }
        f.ollama.enqueue(reply.token("ACTION: {\"tool\": \"homeassistant_call_service\", \"args\": {\"domain\": "
                + "\"climate\", \"service\": \"turn_on\", \"entity_id\": \"climate.sala\"}}").done());

        JsonNode got = hook("reply");

        assertThat(got.get("outcome").asText()).isEqualTo("done");
        assertThat(got.get("partials").size()).as("the component saw the reply grow: %s", got.get("partials"))
                .isGreaterThan(1);
        assertThat(got.get("messages")).hasSize(2);
        assertThat(got.get("messages").get(1).get("content").asText()).isEqualTo("Vou ligar o ar da sala.");
        assertThat(got.get("messages").get(1).toString()).doesNotContain("ACTION");
        assertThat(got.get("action").get("args").get("entity_id").asText()).isEqualTo("climate.sala");
        assertThat(got.get("isStreaming").asBoolean()).isFalse();
        assertThat(got.get("error").isNull()).isTrue();
        assertThat(got.get("conversationId").asLong()).isPositive();
    }

    @Test
    void shouldKeepOneConversationWhenTheFirstReplyIsStoppedAndTheChatGoesOn() {
        Reply longReply = Reply.stream().paced(Duration.ofMillis(50));
        for (int i = 0; i < 200; i++) {
            longReply.token("era ");
        }
        f.ollama.enqueue(longReply.done()).enqueue(Reply.tokens("E depois acabou."));

        JsonNode got = hook("stopAndContinue");

        assertThat(got.get("stopped").asText()).isEqualTo("aborted");
        assertThat(got.get("idAtStop").asLong()).as("known from the turn's start").isPositive();
        assertThat(got.get("next").asText()).isEqualTo("done");
        assertThat(got.get("conversationId").asLong()).isEqualTo(got.get("idAtStop").asLong());
        assertThat(f.ollama.awaitChatRequests(2, Duration.ofSeconds(10))).isTrue();
        JsonNode list = ConversationsIT.json(f.send(f.get("api/conversations", f.anaToken)).body());
        assertThat(list.get("conversations")).as("one conversation, not two").hasSize(1);
        JsonNode second = ConversationsIT.json(f.ollama.chatBodies().get(1)).get("messages");
        assertThat(second.get(1).get("content").asText()).as("the history reached the model")
                .isEqualTo("Conta uma história longa");
        assertThat(second.get(2).get("content").asText()).startsWith("era");
        assertThat(second.get(second.size() - 1).get("content").asText()).isEqualTo("continua");
    }
}
