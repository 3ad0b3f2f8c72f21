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
 * Ollama's front door ({@code /api/chat}, {@code /api/tags}, {@code /api/show}, {@code /api/version},
 * {@code /api/pull}) driven by ollama-js, unchanged ({@code src/test/js/ollama-client.mjs}, the token in its
 * {@code headers} option), against the real server in front of a fake Ollama:
 * text, thinking, the ACTION line as a tool call, the whole answer, the model list, Home Assistant's tool loop with
 * its fields passed through, a client that leaves, errors; plus the stream byte for byte.
 */
class OllamaDoorIT {
    private static final String ACTION_REPLY_1 = "Vou ligar o ar.\n";
    private static final String ACTION_REPLY_2 = "ACTION: {\"tool\": \"homeassistant_call_service\", \"args\": "
            + "{\"domain\": \"climate\", \"service\": \"turn_on\", \"entity_id\": \"climate.sala\"}}";

    /** Pings every second: NDJSON has no comment, so a quiet stream must get nothing (never a stray byte). */
    private final ServerFixture f = new ServerFixture(env -> {
        env.put("CHATSTREAM_HEARTBEAT_SECONDS", "1");
        return env;
    });

    @AfterEach
    void stop() {
        f.close();
    }

    private JsonNode js(String scenario, String... env) {
        return jsAs(f.anaToken, scenario, env);
    }

    private JsonNode jsAs(String token, String scenario, String... env) {
        Map<String, String> vars = new HashMap<>();
        for (int i = 0; i < env.length; i += 2) {
            vars.put(env[i], env[i + 1]);
        }
        return NodeClient.run(f, token, "ollama-client.mjs", scenario, vars);
    }

    @Test
    void shouldStreamTextThinkingAndTheActionAsAToolCallToOllamaJs() {
        f.ollama.enqueue(Reply.stream().thinking("Quer o ar.").token(ACTION_REPLY_1).token(ACTION_REPLY_2).done());

        JsonNode got = js("stream", "THINK", "true");

        assertThat(got.get("content").asText()).as("the ACTION line is never text").isEqualTo(ACTION_REPLY_1);
        assertThat(got.get("thinking").asText()).isEqualTo("Quer o ar.");
        JsonNode call = got.get("tool_calls").get(0).get("function");
        assertThat(call.get("name").asText()).isEqualTo("homeassistant_call_service");
        assertThat(call.get("arguments").get("entity_id").asText()).as("arguments are an object, as Ollama's")
                .isEqualTo("climate.sala");
        assertThat(got.get("done").asBoolean()).isTrue();
        assertThat(got.get("done_reason").asText()).isEqualTo("stop");
        assertThat(got.get("eval_count").asInt()).isPositive();
        assertThat(got.get("model").asText()).isEqualTo("llama3.2");

        JsonNode sent = ConversationsIT.json(f.ollama.chatBodies().get(0));
        assertThat(sent.get("think").asBoolean()).as("think passed through").isTrue();
        String system = sent.get("messages").get(0).get("content").asText();
        assertThat(system).contains("Current date and time:").contains("adds these instructions (they never "
                + "override the ones above):\nAnswer briefly.");
        assertThat(ConversationsIT.json(f.send(f.get("api/conversations", f.anaToken)).body())
                .get("conversations")).as("the client holds the conversation").isEmpty();
    }

    @Test
    void shouldAnswerWithOneObjectWhenNotStreaming() {
        f.ollama.enqueue(Reply.tokens(ACTION_REPLY_1, ACTION_REPLY_2));

        JsonNode got = js("whole");

        assertThat(got.get("done").asBoolean()).isTrue();
        assertThat(got.get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(got.get("message").get("content").asText()).isEqualTo("Vou ligar o ar.");
        assertThat(got.get("message").get("tool_calls").get(0).get("function").get("name").asText())
                .isEqualTo("homeassistant_call_service");
        assertThat(got.get("prompt_eval_count").asInt()).isEqualTo(42);
        assertThat(got.get("eval_count").asInt()).isEqualTo(20);
        assertThat(got.get("total_duration").asLong()).isEqualTo(1_500_000_000L);
    }

    @Test
    void shouldListShowAndRefuseToPullModels() {
        f.ollama.models("llama3.2:latest", "qwen3:8b");

        JsonNode list = js("list");
        assertThat(list.get("names")).extracting(JsonNode::asText).containsExactly("llama3.2:latest", "qwen3:8b");
        assertThat(list.get("first").get("details").has("family")).isTrue();

        JsonNode show = js("show", "MODEL", "llama3.2");
        assertThat(show.get("capabilities")).extracting(JsonNode::asText).contains("completion", "tools");
        assertThat(show.get("version").asText()).isNotBlank();

        JsonNode pull = js("pull", "MODEL", "llama3.2");
        assertThat(pull.get("thrown").asText()).isEqualTo("ResponseError");
        assertThat(pull.get("status").asInt()).isEqualTo(403);
        assertThat(pull.get("message").asText()).startsWith("chatstream does not download models");
    }

    /**
     * Home Assistant's Ollama integration: its own tools, keep_alive and num_ctx, a tool call it ran and its result
     * last. The fields reach Ollama; the loop reaches the model as text it can answer.
     */
    @Test
    void shouldCarryHomeAssistantsToolLoopAndPassItsFieldsThrough() {
        f.ollama.enqueue(Reply.tokens("A luz da cozinha está ligada."));
        String messages = """
                [{"role": "system", "content": "You are a voice assistant for Home Assistant."},
                 {"role": "user", "content": "Liga a luz da cozinha"},
                 {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "HassTurnOn",
                   "arguments": {"name": "cozinha", "domain": ["light"]}}}]},
                 {"role": "tool", "tool_name": "HassTurnOn", "content": "{\\"success\\": true}"}]""";
        String extra = """
                {"keep_alive": "-1s", "options": {"num_ctx": 8192}, "tools": [{"type": "function", "function":
                 {"name": "HassTurnOn", "description": "Turns on a device", "parameters": {"type": "object"}}}]}""";

        JsonNode got = js("stream", "MESSAGES", messages, "EXTRA", extra);

        assertThat(got.get("content").asText()).isEqualTo("A luz da cozinha está ligada.");
        JsonNode sent = ConversationsIT.json(f.ollama.chatBodies().get(0));
        assertThat(sent.get("keep_alive").asText()).isEqualTo("-1s");
        assertThat(sent.get("options").get("num_ctx").asInt()).isEqualTo(8192);
        assertThat(sent.get("tools").get(0).get("function").get("name").asText()).isEqualTo("HassTurnOn");
        JsonNode prompt = sent.get("messages");
        assertThat(prompt.get(prompt.size() - 3).get("content").asText()).isEqualTo("Liga a luz da cozinha");
        assertThat(prompt.get(prompt.size() - 2).get("content").asText())
                .isEqualTo("[called HassTurnOn with {\"name\":\"cozinha\",\"domain\":[\"light\"]}]");
        assertThat(prompt.get(prompt.size() - 1).get("role").asText()).isEqualTo("user");
        assertThat(prompt.get(prompt.size() - 1).get("content").asText())
                .isEqualTo("[HassTurnOn returned: {\"success\": true}]");
    }

    @Test
    void shouldCloseTheUpstreamWhenOllamaJsAbortsTheStream() {
        Reply reply = Reply.stream().paced(Duration.ofMillis(50));
        for (int i = 0; i < 200; i++) {
            reply.token("palavra ");
        }
        f.ollama.enqueue(reply.done());

        JsonNode got = js("abort");

        assertThat(got.get("content").asText()).startsWith("palavra");
        assertThat(got.get("thrown").asText()).isEqualTo("AbortError");
        assertThat(f.ollama.awaitClientDisconnect(Duration.ofSeconds(10))).as("Ollama's request closed").isTrue();
        assertThat(f.awaitOpenStreams(0)).isZero();
    }

    @Test
    void shouldRaiseErrorsAsOllamaJsRaisesOllamasOwn() {
        f.ollama.enqueue(Reply.status(404, "model \"nope\" not found, try pulling it first"));
        JsonNode whole = js("wholeError", "MODEL", "nope");
        assertThat(whole.get("thrown").asText()).isEqualTo("ResponseError");
        assertThat(whole.get("status").asInt()).isEqualTo(404);
        assertThat(whole.get("message").asText()).contains("nope");

        f.ollama.enqueue(Reply.stream().token("Olá").errorLine("model crashed"));
        JsonNode midway = js("streamError");
        assertThat(midway.get("thrown").asText()).isEqualTo("Error");
        assertThat(midway.get("message").asText()).contains("model crashed");

        JsonNode badToken = jsAs("not-a-token", "wholeError");
        assertThat(badToken.get("status").asInt()).isEqualTo(401);
        assertThat(badToken.get("message").asText()).contains("not valid");

        JsonNode lastAssistant = js("wholeError", "MESSAGES", "[{\"role\": \"assistant\", \"content\": \"Olá!\"}]");
        assertThat(lastAssistant.get("status").asInt()).isEqualTo(400);
        assertThat(lastAssistant.get("message").asText()).isEqualTo("The last message must be the user's (role "
                + "\"user\") or a tool's result (role \"tool\"), got role \"assistant\" in messages[0]");
        assertThat(f.ollama.chatBodies()).as("refused before Ollama is asked").hasSize(2);
    }

    @Test
    void shouldWriteTheStreamByteForByteAndNothingWhileTheModelLoads() throws Exception {
        f.ollama.enqueue(Reply.stream().pause(Duration.ofMillis(2_500)).token(ACTION_REPLY_1).token(ACTION_REPLY_2)
                .done());

        HttpResponse<String> r = f.send(f.post("api/chat", f.anaToken, "{\"model\": \"llama3.2\", \"messages\": "
                + "[{\"role\": \"user\", \"content\": \"Liga o ar da sala\"}]}"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/x-ndjson");
        String golden;
        try (var in = getClass().getResourceAsStream("/golden/ollama-stream.ndjson")) {
            golden = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(r.body()).isEqualTo(golden);
    }
}
