package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.openai.FakeOpenAi;
import dev.chatstream.openai.FakeOpenAi.Reply;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server with {@code llm = openai}, over real HTTP, in front of a fake OpenAI-compatible server (llama-server's
 * flavour unless a test says otherwise): a whole turn with reasoning, text, an ACTION line and a streamed native
 * tool call; readiness; and the rows of the upstream fault matrix (docs/reliability.md) as they read for this
 * backend: one terminal event each, with its code and message, and the upstream closed.
 */
class OpenAiIT {
    private static final String KEY = "sk-local-7f3a9c";
    private final FakeOpenAi upstream = FakeOpenAi.start().apiKey(KEY);
    private final ServerFixture f = new ServerFixture(env -> {
        env.put("CHATSTREAM_LLM", "openai");
        env.put("CHATSTREAM_OPENAI_URL", upstream.baseUrl().toString());
        env.put("CHATSTREAM_OPENAI_API_KEY", KEY);
        env.put("CHATSTREAM_OPENAI_FIRST_TOKEN_SECONDS", "3");
        env.put("CHATSTREAM_OPENAI_IDLE_SECONDS", "1");
        return env;
    });

    @AfterEach
    void stop() {
        f.close();
        upstream.close();
    }

    private StreamOutcome chat(Reply reply) {
        upstream.enqueue(reply);
        return StreamOutcome.of(f, f.chat("Que tempo faz?"));
    }

    @Test
    void shouldStreamAWholeTurnWithReasoningTextAndBothKindsOfAction() throws Exception {
        upstream.enqueue(Reply.stream().reasoning("Pediu o ar. ").token("Vou ligar ").token("o ar.\n")
                .token("ACTION: {\"tool\": \"homeassistant_call_service\", \"args\": {\"domain\": \"climate\", "
                        + "\"service\": \"turn_on\"}}")
                .toolCall(0, "homeassistant_call_service", "{\"domain\": \"light\", ", "\"service\": \"turn_on\"}")
                .finish("tool_calls").usage(57, 12).done());

        SseEvents events = SseEvents.parse(f.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"Liga o ar\", \"include_thinking\": true}")).body());

        assertThat(events.names()).containsExactly("thinking", "message", "message", "final_text", "action", "action",
                "done");
        assertThat(events.named("thinking").data()).isEqualTo("{\"content\": \"Pediu o ar. \"}");
        assertThat(events.named("final_text").data()).isEqualTo("{\"text\": \"Vou ligar o ar.\"}");
        assertThat(events.events().get(4).data()).contains("\"domain\": \"climate\"");
        assertThat(events.events().get(5).data()).contains("\"domain\": \"light\"");
        JsonNode done = ConversationsIT.json(events.last().data());
        assertThat(done.get("prompt_tokens").asLong()).isEqualTo(57);
        assertThat(done.get("completion_tokens").asLong()).isEqualTo(12);
        assertThat(done.get("done_reason").asText()).isEqualTo("tool_calls");
        assertThat(ConversationsIT.contents(f, f.anaToken, done.get("conversation_id").asLong()))
                .containsExactly("user:Liga o ar:complete", "assistant:Vou ligar o ar.:complete");

        var sent = upstream.chats().get(0);
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + KEY);
        JsonNode body = ConversationsIT.json(sent.body());
        assertThat(body.get("model").asText()).as("the first model the server lists").isEqualTo("qwen2.5-7b-instruct");
        assertThat(body.get("messages").get(0).get("role").asText()).isEqualTo("system");
        assertThat(body.get("messages").get(body.get("messages").size() - 1).get("content").asText())
                .isEqualTo("Liga o ar");
        assertThat(f.firstStartOutput).contains("OpenAI-compatible server " + upstream.baseUrl())
                .doesNotContain(KEY);
    }

    @Test
    void shouldBeReadyWhenTheServerListsTheModelAndSayWhatToSetWhenItDoesNot() {
        HttpResponse<String> ready = f.send(f.get("api/ready", f.anaToken));
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\": \"ready\"", "\"llm\": \"openai\"",
                "\"model\": \"qwen2.5-7b-instruct\"").doesNotContain(KEY);

        try (ServerFixture other = new ServerFixture(env -> {
            env.put("CHATSTREAM_LLM", "openai");
            env.put("CHATSTREAM_OPENAI_URL", upstream.baseUrl().toString());
            env.put("CHATSTREAM_OPENAI_API_KEY", KEY);
            env.put("CHATSTREAM_OPENAI_MODEL", "llama-3.1-8b");
            return env;
        })) {
            HttpResponse<String> notReady = other.send(other.get("api/ready", other.anaToken));
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("has no model \\\"llama-3.1-8b\\\"; it lists qwen2.5-7b-instruct: set "
                    + "openai.model to one of them");
        }
    }

    @Test
    void shouldSayTheServerIsAwayWhenItRefusesTheConnection() {
        upstream.close();

        StreamOutcome out = StreamOutcome.of(f, f.chat("Que tempo faz?"));

        assertThat(out.code()).isEqualTo("llm_unavailable");
        assertThat(out.error()).isEqualTo("The OpenAI-compatible server at " + upstream.baseUrl() + " is not reachable"
                + " — is it running? (or set openai.url, CHATSTREAM_OPENAI_URL, to where it runs)");
    }

    @Test
    void shouldNameTheMissingModelAndTheFix() {
        upstream.flavor(FakeOpenAi.Flavor.VLLM).models("meta-llama/Llama-3.1-8B-Instruct");
        try (ServerFixture vllm = new ServerFixture(env -> {
            env.put("CHATSTREAM_LLM", "openai");
            env.put("CHATSTREAM_OPENAI_URL", upstream.baseUrl().toString());
            env.put("CHATSTREAM_OPENAI_API_KEY", KEY);
            env.put("CHATSTREAM_OPENAI_MODEL", "llama3.2");
            return env;
        })) {
            upstream.enqueue(Reply.tokens("never"));
            StreamOutcome out = StreamOutcome.of(vllm, vllm.chat("Olá"));

            assertThat(out.code()).isEqualTo("model_not_found");
            assertThat(out.error()).isEqualTo("The server at " + upstream.baseUrl() + " has no model \"llama3.2\": set "
                    + "openai.model to one it lists at " + upstream.baseUrl() + "/models (the server said: The model "
                    + "`llama3.2` does not exist.)");
        }
    }

    @Test
    void shouldPassOnBusyWithItsRetryAfter() {
        StreamOutcome out = chat(Reply.status(429, "Too many requests").retryAfter("7"));

        assertThat(out.code()).isEqualTo("llm_busy");
        assertThat(out.data().get("retry_after").asLong()).isEqualTo(7);
        assertThat(out.error()).contains("rate-limiting").contains("Too many requests");
    }

    @Test
    void shouldEndWithTheErrorLlamaServerSendsMidStreamAndKeepWhatCameBefore() {
        StreamOutcome out = chat(Reply.stream().token("Está ").token("sol ").errorInStream("slot unavailable"));

        assertThat(out.text()).isEqualTo("Está sol ");
        assertThat(out.code()).isEqualTo("llm_failed");
        assertThat(out.error()).isEqualTo("The server at " + upstream.baseUrl()
                + " failed while answering: slot unavailable");
        assertThat(out.stored()).containsExactly("user:Que tempo faz?:complete", "assistant:Está sol:failed");
    }

    @Test
    void shouldStopAtAMalformedEventAndAtAStreamCutShort() {
        StreamOutcome malformed = chat(Reply.stream().token("Está ").event("data: {not json").token("sol").done());
        assertThat(malformed.text()).isEqualTo("Está ");
        assertThat(malformed.code()).isEqualTo("llm_protocol");

        StreamOutcome cut = chat(Reply.stream().token("Está ").token("sol"));
        assertThat(cut.text()).isEqualTo("Está sol");
        assertThat(cut.code()).isEqualTo("llm_protocol");
        assertThat(cut.error()).contains("ended before it was complete");
        assertThat(cut.stored()).containsExactly("user:Que tempo faz?:complete", "assistant:Está sol:failed");
    }

    @Test
    void shouldTimeOutOnSilenceMidStreamAndCloseTheUpstream() {
        StreamOutcome out = chat(Reply.stream().token("Está ").stall());

        assertThat(out.code()).isEqualTo("llm_timeout");
        assertThat(out.error()).isEqualTo("The server at " + upstream.baseUrl()
                + " went silent for 1 s in the middle of the reply; try again");
        assertThat(upstream.awaitClientDisconnect(Duration.ofSeconds(5))).as("the upstream was closed").isTrue();
    }

    @Test
    void shouldCloseTheUpstreamWhenTheClientLeavesMidReply() {
        upstream.enqueue(Reply.stream().token("Uma ").token("história ").stall());

        try (RawClient client = RawClient.post(f, f.anaToken, "{\"message\": \"Conta uma história\"}")) {
            client.readUntil("história");
        }

        assertThat(upstream.awaitClientDisconnect(Duration.ofSeconds(5))).as("the upstream was closed").isTrue();
        assertThat(f.awaitOpenStreams(0)).isZero();
    }
}
