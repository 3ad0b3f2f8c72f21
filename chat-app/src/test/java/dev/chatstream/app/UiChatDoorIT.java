package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.ollama.FakeOllama.Reply;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The AI SDK's front door ({@code POST /api/ui/chat}, {@code GET /api/ui/chat/{id}/stream}) driven by the {@code ai}
 * package's own chat and {@code DefaultChatTransport}, unchanged ({@code src/test/js/ai-sdk-client.mjs}), against the
 * real server in front of a fake Ollama: the assistant message with reasoning, text and the action; a connection cut
 * mid-reply and resumed with every word once; errors; plus the stream byte for byte.
 */
class UiChatDoorIT {
    private static final String ACTION_REPLY_2 = "ACTION: {\"tool\": \"homeassistant_call_service\", \"args\": "
            + "{\"domain\": \"climate\", \"service\": \"turn_on\", \"entity_id\": \"climate.sala\"}}";

    private final ServerFixture f = new ServerFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    private JsonNode sdk(String scenario, String... env) {
        Map<String, String> vars = new HashMap<>();
        for (int i = 0; i < env.length; i += 2) {
            vars.put(env[i], env[i + 1]);
        }
        return NodeClient.run(f, f.anaToken, "ai-sdk-client.mjs", scenario, vars);
    }

    private static JsonNode assistant(JsonNode chat) {
        JsonNode messages = chat.get("messages");
        return messages.get(messages.size() - 1);
    }

    @Test
    void shouldBuildTheAssistantMessageWithReasoningTextAndTheAction() {
        f.ollama.enqueue(Reply.stream().thinking("Quer o ar.").token("Vou ligar ").token("o ar.\n")
                .token(ACTION_REPLY_2).done());

        JsonNode chat = sdk("chat");

        assertThat(chat.get("status").asText()).isEqualTo("ready");
        assertThat(chat.get("messages")).hasSize(2);
        JsonNode reply = assistant(chat);
        assertThat(reply.get("role").asText()).isEqualTo("assistant");
        assertThat(reply.get("id").asText()).startsWith("msg_");
        JsonNode parts = reply.get("parts");
        assertThat(parts).extracting(p -> p.get("type").asText()).containsExactly("reasoning", "text", "data-action");
        assertThat(parts.get(0).get("text").asText()).isEqualTo("Quer o ar.");
        assertThat(parts.get(1).get("text").asText()).as("the ACTION line is never text").isEqualTo("Vou ligar o ar.\n");
        assertThat(parts.get(1).get("state").asText()).isEqualTo("done");
        JsonNode action = parts.get(2).get("data");
        assertThat(action.get("tool").asText()).isEqualTo("homeassistant_call_service");
        assertThat(action.get("args").get("entity_id").asText()).isEqualTo("climate.sala");
        assertThat(action.get("status").asText()).as("actions.auto is off: the app decides").isEqualTo("suggested");
        assertThat(reply.get("metadata").get("completion_tokens").asInt()).isEqualTo(20);
        assertThat(ConversationsIT.json(f.send(f.get("api/conversations", f.anaToken)).body())
                .get("conversations")).as("the app keeps its messages").isEmpty();
    }

    @Test
    void shouldResumeACutReplyWithEveryWordOnceAndTheModelAskedOnce() {
        Reply reply = Reply.stream().paced(Duration.ofMillis(100)); // 4 s: the resume comes long before the end
        StringBuilder whole = new StringBuilder();
        for (int i = 1; i <= 40; i++) {
            reply.token("w" + i + " ");
            whole.append("w").append(i).append(' ');
        }
        f.ollama.enqueue(reply.done());

        JsonNode got = sdk("cut");

        JsonNode afterCut = got.get("afterCut");
        assertThat(afterCut.get("status").asText()).as("the SDK saw the connection drop").isEqualTo("error");
        String partial = assistant(afterCut).get("parts").get(0).get("text").asText();
        assertThat(whole.toString()).startsWith(partial);
        assertThat(partial.length()).isLessThan(whole.length());

        JsonNode resumed = got.get("resumed");
        assertThat(resumed.get("status").asText()).isEqualTo("ready");
        assertThat(resumed.get("messages")).as("one assistant message, not two").hasSize(2);
        JsonNode parts = assistant(resumed).get("parts");
        assertThat(parts).extracting(p -> p.get("type").asText()).containsExactly("text");
        assertThat(parts.get(0).get("text").asText()).as("every word once").isEqualTo(whole.toString());
        assertThat(got.get("again").get("messages")).isEqualTo(resumed.get("messages"));
        assertThat(f.ollama.chatBodies()).as("the model was asked once").hasSize(1);
    }

    @Test
    void shouldEndWithTheErrorTheSdkShows() {
        f.ollama.enqueue(Reply.status(404, "model \"nope\" not found, try pulling it first"));

        JsonNode chat = sdk("chat", "MODEL", "nope");

        assertThat(chat.get("status").asText()).isEqualTo("error");
        assertThat(chat.get("error").asText()).contains("nope");
        assertThat(f.ollama.chatBodies().get(0)).contains("\"model\":\"nope\"");
    }

    @Test
    void shouldWriteTheStreamByteForByteAndSay204WhenNothingRuns() throws Exception {
        f.ollama.enqueue(Reply.stream().thinking("Hmm.").token("Vou ligar o ar.\n").token(ACTION_REPLY_2).done());

        HttpResponse<String> r = f.send(f.post("api/ui/chat", f.anaToken, "{\"id\": \"c1\", \"trigger\": "
                + "\"submit-message\", \"messages\": [{\"id\": \"u1\", \"role\": \"user\", \"parts\": [{\"type\": "
                + "\"text\", \"text\": \"Liga o ar\"}]}]}"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-vercel-ai-ui-message-stream")).hasValue("v1");
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        String turn = r.headers().firstValue("X-Turn-Id").orElseThrow();
        String golden;
        try (var in = getClass().getResourceAsStream("/golden/ai-sdk-stream.txt")) {
            golden = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(r.body().replace(turn, "TURN")).isEqualTo(golden);

        assertThat(f.send(f.get("api/ui/chat/c1/stream", f.anaToken)).statusCode()).as("it has ended").isEqualTo(204);
        assertThat(f.send(f.get("api/ui/chat/other/stream", f.anaToken)).statusCode()).isEqualTo(204);
        HttpResponse<String> bad = f.send(f.post("api/ui/chat", f.anaToken, "{\"id\": \"c1\", \"messages\": "
                + "[{\"role\": \"assistant\", \"parts\": [{\"type\": \"text\", \"text\": \"Olá\"}]}]}"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("The last message must be the user's");
    }
}
