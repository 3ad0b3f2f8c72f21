package dev.chatstream.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chatstream.core.Action;
import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.ChatMessage;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.LlmDelta;
import dev.chatstream.core.LlmRequest;
import dev.chatstream.core.TransientException;
import dev.chatstream.core.Usage;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The adapter against the fake in each server's flavour: the wire, the faults, the metadata. */
class OpenAiLlmStreamTest {
    private static final String MODEL = "qwen2.5-7b-instruct";
    private final FakeOpenAi server = FakeOpenAi.start();
    private final List<LlmDelta> deltas = new ArrayList<>();

    @AfterEach
    void stop() {
        server.close();
    }

    private OpenAiConfig config() {
        return OpenAiConfig.of(server.baseUrl()).withModel(MODEL);
    }

    private static LlmRequest request() {
        return new LlmRequest(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Olá"),
                ChatMessage.assistant("Olá!"), ChatMessage.user("Que horas são?")), ChatOptions.defaults());
    }

    private Usage run(OpenAiConfig config) {
        return OpenAiLlmStream.create(config).stream(request(), deltas::add, new Cancellation());
    }

    private Usage run() {
        return run(config());
    }

    private String text() {
        StringBuilder sb = new StringBuilder();
        deltas.forEach(d -> {
            if (d instanceof LlmDelta.Text t) {
                sb.append(t.text());
            }
        });
        return sb.toString();
    }

    private ChatException failure() {
        try {
            run();
        } catch (ChatException e) {
            return e;
        }
        throw new AssertionError("the stream did not fail");
    }

    @Test
    void shouldSendTheRequestAsTheServersExpectIt() throws Exception {
        server.enqueue(FakeOpenAi.Reply.tokens("ok"));
        OpenAiConfig config = config().withApiKey("sk-local-123").withOptions(Map.of("temperature", 0.2,
                "max_tokens", 256)).withTools(List.of(Map.of("type", "function",
                        "function", Map.of("name", "homeassistant_call_service"))));
        server.apiKey("sk-local-123");

        run(config);

        var chat = server.chats().get(0);
        assertThat(chat.header("Authorization")).isEqualTo("Bearer sk-local-123");
        assertThat(chat.header("Accept")).isEqualTo("text/event-stream");
        JsonNode body = new ObjectMapper().readTree(chat.body());
        assertThat(body.path("model").asText()).isEqualTo(MODEL);
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(256);
        assertThat(body.path("tools").get(0).path("function").path("name").asText())
                .isEqualTo("homeassistant_call_service");
        assertThat(body.path("messages")).hasSize(4);
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(body.path("messages").get(3).path("content").asText()).isEqualTo("Que horas são?");
    }

    @Test
    void shouldSendNoAuthorizationWithoutAKey() {
        server.enqueue(FakeOpenAi.Reply.tokens("ok"));

        run();

        assertThat(server.chats().get(0).headers()).doesNotContainKey("authorization");
    }

    @Test
    void shouldStreamTextAndReportLlamaServersUsageAndTimings() {
        server.enqueue(FakeOpenAi.Reply.tokens("Olá", ", ", "são ", "três ", "horas."));

        Usage usage = run();

        assertThat(text()).isEqualTo("Olá, são três horas.");
        assertThat(deltas).allMatch(d -> d instanceof LlmDelta.Text);
        assertThat(usage.promptTokens()).isEqualTo(31);
        assertThat(usage.completionTokens()).isEqualTo(5);
        assertThat(usage.promptEvalDuration()).isEqualTo(Duration.ofNanos(120_500_000));
        assertThat(usage.evalDuration()).isEqualTo(Duration.ofNanos(880_250_000));
        assertThat(usage.doneReason()).isEqualTo("stop");
    }

    @Test
    void shouldReadTheUsageChunkInEachServersShape() {
        for (FakeOpenAi.Flavor flavor : List.of(FakeOpenAi.Flavor.VLLM, FakeOpenAi.Flavor.OPENAI)) {
            server.flavor(flavor).models(MODEL).enqueue(FakeOpenAi.Reply.tokens("a", "b", "c"));
            deltas.clear();

            Usage usage = run();

            assertThat(text()).as(flavor.name()).isEqualTo("abc");
            assertThat(usage.promptTokens()).as(flavor.name()).isEqualTo(31);
            assertThat(usage.completionTokens()).as(flavor.name()).isEqualTo(3);
            assertThat(usage.evalDuration()).as(flavor.name()).isZero();
            assertThat(usage.doneReason()).as(flavor.name()).isEqualTo("stop");
        }
    }

    @Test
    void shouldReportWhatIsKnownWhenTheServerSendsNoUsage() {
        server.enqueue(FakeOpenAi.Reply.stream().token("a").finish("length").done());

        Usage usage = run();

        assertThat(text()).isEqualTo("a");
        assertThat(usage.completionTokens()).isZero();
        assertThat(usage.truncated()).isTrue();
    }

    @Test
    void shouldPassReasoningAsThinking() {
        server.enqueue(FakeOpenAi.Reply.stream().reasoning("Hmm, ").reasoning("horas.").token("São três.")
                .finish("stop").usage(5, 3).done());

        run();

        assertThat(deltas).containsExactly(new LlmDelta.Thinking("Hmm, "), new LlmDelta.Thinking("horas."),
                new LlmDelta.Text("São três."));
    }

    @Test
    void shouldReadOllamasAndNewerVllmsReasoningField() {
        server.enqueue(FakeOpenAi.Reply.stream()
                .event("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\","
                        + "\"reasoning\":\"pensa\"},\"finish_reason\":null}]}")
                .event("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\",\"reasoning\":\"x\","
                        + "\"reasoning_content\":\"x\"},\"finish_reason\":null}]}")
                .finish("stop").done());

        run();

        assertThat(deltas).containsExactly(new LlmDelta.Thinking("pensa"), new LlmDelta.Thinking("x"));
    }

    @Test
    void shouldJoinStreamedToolCallsByIndexIntoOneActionEach() {
        server.enqueue(FakeOpenAi.Reply.stream()
                .toolCall(0, "homeassistant_call_service", "{\"dom", "ain\": \"light\", \"service\": \"turn_on\",",
                        " \"entity_id\": \"light.sala\", \"brightness\": 200}")
                .toolCall(1, "homeassistant_call_service", "{\"domain\": \"climate\", \"service\": \"set_temperature\"",
                        ", \"temperature\": 22.5}")
                .finish("tool_calls").usage(40, 30).done());

        Usage usage = run();

        assertThat(deltas).containsExactly(
                new LlmDelta.ToolCall(new Action("homeassistant_call_service", Map.of("domain", "light",
                        "service", "turn_on", "entity_id", "light.sala", "brightness", 200L))),
                new LlmDelta.ToolCall(new Action("homeassistant_call_service", Map.of("domain", "climate",
                        "service", "set_temperature", "temperature", 22.5))));
        assertThat(usage.doneReason()).isEqualTo("tool_calls");
    }

    @Test
    void shouldDropAToolCallWhoseArgumentsAreNotAJsonObject() {
        server.enqueue(FakeOpenAi.Reply.stream().token("Feito.")
                .toolCall(0, "homeassistant_call_service", "{\"domain\": \"light\", \"serv")
                .finish("tool_calls").done());

        run();

        assertThat(deltas).containsExactly(new LlmDelta.Text("Feito."));
    }

    @Test
    void shouldTakeAWholeToolCallInOnePieceAsOllamasV1SendsIt() {
        server.enqueue(FakeOpenAi.Reply.stream()
                .event("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\","
                        + "\"tool_calls\":[{\"id\":\"call_1\",\"index\":0,\"type\":\"function\",\"function\":"
                        + "{\"name\":\"get_time\",\"arguments\":\"{}\"}}]},\"finish_reason\":null}]}")
                .finish("stop").done());

        run();

        assertThat(deltas).containsExactly(new LlmDelta.ToolCall(new Action("get_time", Map.of())));
    }

    @Test
    void shouldDeliverTextSplitAnywhereIncludingInsideACharacter() {
        String events = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Coração \"},\"finish_reason\":null}]}"
                + "\r\n\r\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"🌙\"},\"finish_reason\":null}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        int heart = events.indexOf("ção") + 1;
        int moon = events.indexOf("🌙");
        server.enqueue(FakeOpenAi.Reply.silent().splitAt(events, 3, heart + 1, moon + 2, moon + 3,
                events.length() - 4));

        run();

        assertThat(text()).isEqualTo("Coração 🌙");
    }

    @Test
    void shouldIgnoreCommentsAndUnknownFields() {
        server.enqueue(FakeOpenAi.Reply.stream().event(": OPENROUTER PROCESSING").token("a")
                .event("id: 7\nretry: 1000").token("b").finish("stop").done());

        run();

        assertThat(text()).isEqualTo("ab");
    }

    @Test
    void shouldAcceptAStreamThatEndsAfterItsFinishReasonWithoutDone() {
        server.enqueue(FakeOpenAi.Reply.stream().token("a").finish("stop"));

        Usage usage = run();

        assertThat(text()).isEqualTo("a");
        assertThat(usage.doneReason()).isEqualTo("stop");
    }

    @Test
    void shouldUseTheFirstListedModelWhenNoneIsSetAndAskOnce() throws Exception {
        server.models("local-model", "other").enqueue(FakeOpenAi.Reply.tokens("a"))
                .enqueue(FakeOpenAi.Reply.tokens("b"));
        OpenAiLlmStream llm = OpenAiLlmStream.create(OpenAiConfig.of(server.baseUrl()));
        assertThat(llm.configuredModel()).as("not known before the server is asked").isEmpty();

        llm.stream(request(), deltas::add, new Cancellation());
        llm.stream(request(), deltas::add, new Cancellation());

        assertThat(server.chats()).extracting(c -> new ObjectMapper().readTree(c.body()).path("model").asText())
                .containsExactly("local-model", "local-model");
        assertThat(server.requests()).filteredOn(r -> r.path().equals("/v1/models")).hasSize(1);
        assertThat(llm.defaultModel()).isEqualTo("local-model");
        assertThat(llm.configuredModel()).contains("local-model");
    }

    @Test
    void shouldUseTheRequestsModelOverride() throws Exception {
        server.enqueue(FakeOpenAi.Reply.tokens("a"));

        OpenAiLlmStream.create(config()).stream(new LlmRequest(request().messages(),
                ChatOptions.defaults().withModel("other-model")), deltas::add, new Cancellation());

        assertThat(new ObjectMapper().readTree(server.chats().get(0).body()).path("model").asText())
                .isEqualTo("other-model");
    }

    @Test
    void shouldListTheModels() {
        server.models("a", "b");

        assertThat(OpenAiLlmStream.create(config()).models()).containsExactly("a", "b");
    }

    @Test
    void shouldTellTheContextFromLlamaServersPropsOrVllmsModelsOnce() {
        server.context(4096);
        OpenAiLlmStream llm = OpenAiLlmStream.create(config());

        assertThat(llm.contextTokens(ChatOptions.defaults())).isEqualTo(OptionalInt.of(4096));
        assertThat(llm.contextTokens(ChatOptions.defaults())).isEqualTo(OptionalInt.of(4096));
        assertThat(server.requests()).filteredOn(r -> r.path().equals("/props")).hasSize(1);

        server.flavor(FakeOpenAi.Flavor.VLLM).models(MODEL).context(32768);
        assertThat(OpenAiLlmStream.create(config()).contextTokens(ChatOptions.defaults()))
                .isEqualTo(OptionalInt.of(32768));

        server.flavor(FakeOpenAi.Flavor.OPENAI);
        assertThat(OpenAiLlmStream.create(config()).contextTokens(ChatOptions.defaults())).isEmpty();
    }

    @Test
    void shouldTellTheReplyLimitFromMaxTokens() {
        assertThat(OpenAiLlmStream.create(config().withOptions(Map.of("max_tokens", 300)))
                .replyTokens(ChatOptions.defaults())).isEqualTo(OptionalInt.of(300));
        assertThat(OpenAiLlmStream.create(config()).replyTokens(ChatOptions.defaults())).isEmpty();
    }

    // --- faults: each maps to one code and a message that says what to do

    @Test
    void shouldSayTheServerIsUnreachableWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        OpenAiConfig config = OpenAiConfig.of(URI.create("http://127.0.0.1:" + port + "/v1")).withModel(MODEL);

        assertThatThrownBy(() -> run(config)).isInstanceOf(TransientException.class)
                .hasMessageContaining("is not reachable").hasMessageContaining("openai.url")
                .satisfies(e -> assertThat(((ChatException) e).code()).isEqualTo(ErrorCode.LLM_UNAVAILABLE));
    }

    @Test
    void shouldSayWhichModelIsMissingInVllmsAndOpenAisShape() {
        for (FakeOpenAi.Flavor flavor : List.of(FakeOpenAi.Flavor.VLLM, FakeOpenAi.Flavor.OPENAI)) {
            server.flavor(flavor).models("served-model").enqueue(FakeOpenAi.Reply.tokens("never"));

            ChatException e = failure();

            assertThat(e.code()).as(flavor.name()).isEqualTo(ErrorCode.MODEL_NOT_FOUND);
            assertThat(e.getMessage()).as(flavor.name()).contains("no model \"" + MODEL + "\"")
                    .contains("openai.model").contains("does not exist");
        }
    }

    @Test
    void shouldSayToCheckTheUrlWhenNothingThereSpeaksOpenAi() {
        OpenAiConfig wrong = OpenAiConfig.of(URI.create(server.baseUrl().toString().replace("/v1", "/api")))
                .withModel(MODEL);

        assertThatThrownBy(() -> run(wrong)).hasMessageContaining("HTTP 404").hasMessageContaining("ending in /v1")
                .satisfies(e -> assertThat(((ChatException) e).code()).isEqualTo(ErrorCode.LLM_FAILED));
    }

    @Test
    void shouldAddV1ToAUrlWithoutAPath() {
        server.enqueue(FakeOpenAi.Reply.tokens("a"));
        URI bare = URI.create(server.baseUrl().toString().replace("/v1", ""));

        run(OpenAiConfig.of(bare).withModel(MODEL));

        assertThat(text()).isEqualTo("a");
        assertThat(OpenAiConfig.of(bare).baseUrl().getPath()).isEqualTo("/v1");
    }

    @Test
    void shouldSayTheKeyWasRefusedWithoutShowingIt() {
        server.apiKey("right-key").enqueue(FakeOpenAi.Reply.tokens("never"));

        assertThatThrownBy(() -> run(config().withApiKey("wrong-key-secret")))
                .hasMessageContaining("refused the API key").hasMessageContaining("openai.api.key")
                .hasMessageContaining("Invalid API Key").hasMessageNotContaining("wrong-key-secret")
                .satisfies(e -> assertThat(((ChatException) e).code()).isEqualTo(ErrorCode.LLM_REJECTED));
        assertThat(config().withApiKey("wrong-key-secret").toString()).doesNotContain("wrong-key-secret");
    }

    @Test
    void shouldSayBusyWithTheServersRetryAfter() {
        server.enqueue(FakeOpenAi.Reply.status(429, "Rate limit reached").retryAfter("7"));

        ChatException e = failure();

        assertThat(e.code()).isEqualTo(ErrorCode.LLM_BUSY);
        assertThat(((TransientException) e).retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(e.getMessage()).contains("Rate limit reached");
    }

    @Test
    void shouldSayBusyWhileLlamaServerLoadsItsModel() {
        server.enqueue(FakeOpenAi.Reply.status(503, "Loading model"));

        ChatException e = failure();

        assertThat(e.code()).isEqualTo(ErrorCode.LLM_BUSY);
        assertThat(((TransientException) e).retryAfter()).contains(OpenAiErrors.BUSY_BACKOFF);
        assertThat(e.getMessage()).contains("still loading its model").contains("Loading model");
    }

    @Test
    void shouldQuoteTheServersMessageWhenItRejectsOrFails() {
        server.enqueue(FakeOpenAi.Reply.status(400, "the request exceeds the available context size, try increasing it"));
        ChatException rejected = failure();
        assertThat(rejected.code()).isEqualTo(ErrorCode.LLM_REJECTED);
        assertThat(rejected.getMessage()).contains("exceeds the available context size");

        server.enqueue(FakeOpenAi.Reply.status(500, "CUDA error: out of memory"));
        ChatException failed = failure();
        assertThat(failed.code()).isEqualTo(ErrorCode.LLM_FAILED);
        assertThat(failed.getMessage()).contains("HTTP status 500").contains("CUDA error: out of memory");
    }

    @Test
    void shouldEndWithTheServersErrorSentInTheStreamKeepingWhatCameBefore() {
        for (FakeOpenAi.Flavor flavor : FakeOpenAi.Flavor.values()) {
            server.flavor(flavor).models(MODEL)
                    .enqueue(FakeOpenAi.Reply.stream().token("Olá").errorInStream("slot unavailable").done());
            deltas.clear();

            ChatException e = failure();

            assertThat(e.code()).as(flavor.name()).isEqualTo(ErrorCode.LLM_FAILED);
            assertThat(e.getMessage()).as(flavor.name()).contains("failed while answering: slot unavailable");
            assertThat(text()).as(flavor.name()).isEqualTo("Olá");
        }
    }

    @Test
    void shouldReadAnErrorEvent() {
        server.enqueue(FakeOpenAi.Reply.stream().event("event: error\ndata: {\"message\":\"overloaded\"}"));

        assertThat(failure().getMessage()).contains("overloaded");
    }

    @Test
    void shouldCallAMalformedEventAProtocolError() {
        server.enqueue(FakeOpenAi.Reply.stream().token("a").event("data: {\"choices\": [ {"));

        ChatException e = failure();

        assertThat(e.code()).isEqualTo(ErrorCode.LLM_PROTOCOL);
        assertThat(text()).isEqualTo("a");
    }

    @Test
    void shouldCallAStreamCutBeforeItsEndAProtocolError() {
        server.enqueue(FakeOpenAi.Reply.stream().token("a"));

        ChatException e = failure();

        assertThat(e.code()).isEqualTo(ErrorCode.LLM_PROTOCOL);
        assertThat(e.getMessage()).contains("ended before it was complete");
    }

    @Test
    void shouldRefuseALineLongerThanTheLimitWithoutHoldingIt() {
        server.enqueue(FakeOpenAi.Reply.stream().raw("data: {\"x\":\"" + "a".repeat(3000)));

        ChatException e = new Object() {
            ChatException run() {
                try {
                    OpenAiLlmStreamTest.this.run(config().withMaxLineBytes(1024));
                } catch (ChatException ex) {
                    return ex;
                }
                throw new AssertionError("no failure");
            }
        }.run();

        assertThat(e.code()).isEqualTo(ErrorCode.LLM_PROTOCOL);
        assertThat(e.getMessage()).contains("longer than 1024 bytes");
    }

    @Test
    void shouldRefuseAnAnswerThatIsNotAnEventStream() {
        server.enqueue(FakeOpenAi.Reply.silent().raw("<html>proxy login</html>").contentType("text/html"));

        ChatException e = failure();

        assertThat(e.code()).isEqualTo(ErrorCode.LLM_PROTOCOL);
        assertThat(e.getMessage()).contains("text/html instead of text/event-stream");
    }

    @Test
    void shouldTimeOutWhenNothingComesAndWhenTheStreamGoesSilent() {
        server.enqueue(FakeOpenAi.Reply.silent().headersFirst().stall());
        OpenAiConfig quick = config().withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300),
                Duration.ofMillis(300), Duration.ofMinutes(1));

        assertThatThrownBy(() -> run(quick)).hasMessageContaining("sent nothing within 300 ms")
                .hasMessageContaining("openai.first.token.seconds")
                .satisfies(e -> assertThat(((ChatException) e).code()).isEqualTo(ErrorCode.LLM_TIMEOUT));
        assertThat(server.awaitClientDisconnect(Duration.ofSeconds(5))).isTrue();

        server.enqueue(FakeOpenAi.Reply.stream().token("a").stall());
        assertThatThrownBy(() -> run(quick)).hasMessageContaining("went silent for 300 ms")
                .satisfies(e -> assertThat(((ChatException) e).code()).isEqualTo(ErrorCode.LLM_TIMEOUT));
    }

    @Test
    void shouldSayTheConnectionBrokeWhenTheServerResetsIt() {
        server.enqueue(FakeOpenAi.Reply.stream().token("a").reset());

        ChatException e = failure();

        assertThat(e.code()).isIn(ErrorCode.LLM_UNAVAILABLE, ErrorCode.LLM_PROTOCOL);
        assertThat(text()).isEqualTo("a");
    }

    @Test
    void shouldCancelBeforeTheFirstByteAndCloseTheRequest() throws Exception {
        server.enqueue(FakeOpenAi.Reply.silent().stall());
        Cancellation cancellation = new Cancellation();
        OpenAiLlmStream llm = OpenAiLlmStream.create(config());
        var running = java.util.concurrent.CompletableFuture.runAsync(
                () -> llm.stream(request(), deltas::add, cancellation));
        assertThat(server.awaitChats(1, Duration.ofSeconds(5))).isTrue();

        cancellation.cancel("Stopped");

        assertThatThrownBy(() -> running.get(5, java.util.concurrent.TimeUnit.SECONDS))
                .hasCauseInstanceOf(dev.chatstream.core.StreamCancelledException.class);
        assertThat(server.awaitClientDisconnect(Duration.ofSeconds(5))).isTrue();
    }
}
