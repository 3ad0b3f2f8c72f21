package dev.chatstream.ollama;

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
import dev.chatstream.core.UpstreamException;
import dev.chatstream.core.Usage;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OllamaLlmStreamTest {
    private final FakeOllama ollama = FakeOllama.start();
    private final List<LlmDelta> deltas = new ArrayList<>();

    @AfterEach
    void stop() {
        ollama.close();
    }

    private OllamaConfig config() {
        return OllamaConfig.defaults().withBaseUrl(ollama.baseUrl());
    }

    private static LlmRequest request() {
        return new LlmRequest(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Olá"),
                ChatMessage.assistant("Olá!"), ChatMessage.user("Que horas são?")), ChatOptions.defaults());
    }

    private Usage run(OllamaConfig config) {
        return OllamaLlmStream.create(config).stream(request(), deltas::add, new Cancellation());
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

    private void assertFails(Class<? extends ChatException> type, ErrorCode code, String message) {
        assertThatThrownBy(this::run).isInstanceOf(type)
                .hasMessage(message)
                .satisfies(e -> assertThat(((ChatException) e).code()).isEqualTo(code));
    }

    @Test
    void shouldSendTheRequestAsOllamaExpectsIt() throws Exception {
        ollama.enqueue(FakeOllama.Reply.tokens("ok"));
        OllamaConfig config = config().withKeepAlive("10m").withOptions(Map.of("temperature", 0.2, "num_ctx", 8192))
                .withThink("low").withTools(List.of(Map.of("type", "function",
                        "function", Map.of("name", "homeassistant_call_service"))));

        run(config);

        JsonNode body = new ObjectMapper().readTree(ollama.chatBodies().get(0));
        assertThat(body.path("model").asText()).isEqualTo("llama3.2");
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("keep_alive").asText()).isEqualTo("10m");
        assertThat(body.path("think").asText()).isEqualTo("low");
        assertThat(body.path("options").path("num_ctx").asInt()).isEqualTo(8192);
        assertThat(body.path("tools").get(0).path("function").path("name").asText())
                .isEqualTo("homeassistant_call_service");
        assertThat(body.path("messages").toString()).isEqualTo("[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Olá\"},{\"role\":\"assistant\",\"content\":\"Olá!\"},"
                + "{\"role\":\"user\",\"content\":\"Que horas são?\"}]");
    }

    /** Issue 24: what an Ollama client (Home Assistant) sets through chatstream's Ollama door reaches Ollama. */
    @Test
    void shouldSendTheFieldsAClientPassedThroughOverTheConfiguredOnes() throws Exception {
        ollama.enqueue(FakeOllama.Reply.tokens("ok"));
        Map<String, Object> asked = Map.of("keep_alive", -1, "options", Map.of("num_ctx", 16384, "top_k", 20),
                "think", true, "format", "json", "tools", List.of(Map.of("type", "function", "function",
                        Map.of("name", "HassTurnOn"))), "stream", false, "model", "other");
        OllamaLlmStream llm = OllamaLlmStream.create(config().withKeepAlive("10m")
                .withOptions(Map.of("temperature", 0.2, "num_ctx", 8192)));
        ChatOptions options = ChatOptions.defaults().withPassthrough(asked);

        llm.stream(new LlmRequest(List.of(ChatMessage.user("x")), options), deltas::add, new Cancellation());

        JsonNode body = new ObjectMapper().readTree(ollama.chatBodies().get(0));
        assertThat(body.path("keep_alive").asInt()).isEqualTo(-1);
        assertThat(body.path("options").toString()).as("merged key by key")
                .contains("\"temperature\":0.2").contains("\"num_ctx\":16384").contains("\"top_k\":20");
        assertThat(body.path("think").asBoolean()).isTrue();
        assertThat(body.path("format").asText()).isEqualTo("json");
        assertThat(body.path("tools").get(0).path("function").path("name").asText()).isEqualTo("HassTurnOn");
        assertThat(body.path("stream").asBoolean()).as("never a client's: chatstream streams").isTrue();
        assertThat(body.path("model").asText()).as("only through ChatOptions.model").isEqualTo("llama3.2");
        assertThat(llm.contextTokens(options)).as("the prompt fits the client's context").hasValue(16384);
    }

    /** Issue 23: a model /api/ps does not list is loaded first; a warm one costs no call at all. */
    @Test
    void shouldSayTheModelLoadsOnlyWhenApiPsDoesNotListItAndNotAskAgainWhileWarm() {
        List<String> heard = new ArrayList<>();
        dev.chatstream.core.LlmListener listener = new dev.chatstream.core.LlmListener() {
            @Override
            public void onDelta(LlmDelta delta) {
                heard.add("delta");
            }

            @Override
            public void onLoadingModel() {
                heard.add("loading");
            }
        };
        OllamaLlmStream llm = OllamaLlmStream.create(config());
        ollama.cold(true).enqueue(FakeOllama.Reply.tokens("Olá")).enqueue(FakeOllama.Reply.tokens("Olá"));

        llm.stream(request(), listener, new Cancellation());
        assertThat(heard).containsExactly("loading", "delta");
        heard.clear();
        llm.stream(request(), listener, new Cancellation());

        assertThat(heard).as("it answered a moment ago: loaded").containsExactly("delta");
        assertThat(ollama.psRequests()).as("asked once, never on the warm turn").isEqualTo(1);

        OllamaLlmStream fresh = OllamaLlmStream.create(config());
        ollama.cold(false).enqueue(FakeOllama.Reply.tokens("Olá"));
        heard.clear();
        fresh.stream(request(), listener, new Cancellation());
        assertThat(heard).as("listed by /api/ps: loaded").containsExactly("delta");
    }

    @Test
    void shouldUseTheRequestsModelAndSendNumericKeepAliveAsANumber() throws Exception {
        ollama.enqueue(FakeOllama.Reply.tokens("ok"));

        OllamaLlmStream.create(config().withKeepAlive("-1").withThink("false")).stream(
                new LlmRequest(List.of(ChatMessage.user("x")), ChatOptions.defaults().withModel("qwen3:8b")),
                deltas::add, new Cancellation());

        JsonNode body = new ObjectMapper().readTree(ollama.chatBodies().get(0));
        assertThat(body.path("model").asText()).isEqualTo("qwen3:8b");
        assertThat(body.path("keep_alive").isNumber()).isTrue();
        assertThat(body.path("think").isBoolean()).isTrue();
        assertThat(body.has("tools")).isFalse();
    }

    @Test
    void shouldTurnLinesIntoTextThinkingToolCallsAndUsage() {
        ollama.enqueue(FakeOllama.Reply.stream().thinking("Hmm, ").thinking("time.").token("São ").token("")
                .token("14h.").toolCall("homeassistant_call_service", "{\"domain\":\"light\",\"brightness\":50,"
                        + "\"ids\":[\"a\",null],\"x\":null}").done());

        Usage usage = run();

        assertThat(deltas).containsExactly(new LlmDelta.Thinking("Hmm, "), new LlmDelta.Thinking("time."),
                new LlmDelta.Text("São "), new LlmDelta.Text("14h."),
                new LlmDelta.ToolCall(new Action("homeassistant_call_service",
                        Map.of("domain", "light", "brightness", 50L, "ids", List.of("a")))));
        assertThat(usage).isEqualTo(new Usage(42, 20, Duration.ofMillis(1500), Duration.ofMillis(200),
                Duration.ofMillis(300), Duration.ofSeconds(1), "stop"));
        assertThat(usage.tokensPerSecond()).isEqualTo(20.0);
    }

    /** Issue 26: a tool call (with its id and index) and the last text can come in the done line itself. */
    @Test
    void shouldTakeTextAndAToolCallFromTheDoneLine() {
        ollama.enqueue(FakeOllama.Reply.stream().token("Vou ")
                .doneWithToolCall("acender.", "homeassistant_call_service", "{\"domain\":\"light\"}"));

        Usage usage = run();

        assertThat(deltas).containsExactly(new LlmDelta.Text("Vou "), new LlmDelta.Text("acender."),
                new LlmDelta.ToolCall(new Action("homeassistant_call_service", Map.of("domain", "light"))));
        assertThat(usage.doneReason()).isEqualTo("stop");
    }

    @Test
    void shouldGiveTheSameTextWhateverByteOffsetsTheLinesAreSplitAt() {
        String body = FakeOllama.DONE_LINE.replace("\"content\":\"\"", "\"content\":\"Olá 😀 ção\"") + "\r\n";
        int length = body.getBytes(StandardCharsets.UTF_8).length;
        for (int offset = 1; offset < length; offset += 7) {
            deltas.clear();
            ollama.enqueue(FakeOllama.Reply.stream().splitAt("\n" + body, offset, Math.min(offset + 3, length)));

            run();

            assertThat(text()).as("split at %d", offset).isEqualTo("Olá 😀 ção");
        }
    }

    @Test
    void shouldAcceptALastLineWithoutALineEnd() {
        ollama.enqueue(FakeOllama.Reply.stream().token("a").raw(FakeOllama.DONE_LINE));

        assertThat(run().completionTokens()).isEqualTo(20);
        assertThat(text()).isEqualTo("a");
    }

    @Test
    void shouldSayOllamaIsNotReachableWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + port);

        assertThatThrownBy(() -> run(config().withBaseUrl(url))).isInstanceOf(TransientException.class)
                .hasMessage("Ollama is not reachable at " + url + " — is it running? (start it with `ollama serve`, "
                        + "or set ollama.url, CHATSTREAM_OLLAMA_URL, to where it runs)")
                .satisfies(e -> assertThat(((ChatException) e).code()).isEqualTo(ErrorCode.LLM_UNAVAILABLE));
    }

    @Test
    void shouldNameTheModelAndTheFixWhenItIsNotInstalled() {
        ollama.enqueue(FakeOllama.Reply.status(404, "model 'llama3.2' not found"));

        assertFails(UpstreamException.class, ErrorCode.MODEL_NOT_FOUND, "The model \"llama3.2\" is not installed on "
                + "Ollama at " + ollama.baseUrl() + ": run `ollama pull llama3.2` (Ollama said: model 'llama3.2' not "
                + "found)");
    }

    /**
     * Issue 26: the prompt is fitted to the context Ollama will really use: chatstream's num_ctx, else the
     * Modelfile's (asked once), else Ollama's default, and never more than the model was trained for.
     */
    @Test
    void shouldTellTheContextOllamaWillUse() {
        OllamaLlmStream plain = OllamaLlmStream.create(config());
        assertThat(plain.contextTokens(ChatOptions.defaults())).hasValue(OllamaLlmStream.DEFAULT_CONTEXT);
        assertThat(plain.contextTokens(ChatOptions.defaults())).hasValue(4096);
        assertThat(ollama.showRequests()).as("asked once per model").isEqualTo(1);

        ollama.show("num_ctx                        8192\nstop                           \"<|eot_id|>\"", 131_072);
        assertThat(OllamaLlmStream.create(config()).contextTokens(ChatOptions.defaults())).hasValue(8192);
        ollama.show("num_ctx 65536", 32_768);
        assertThat(OllamaLlmStream.create(config()).contextTokens(ChatOptions.defaults()))
                .as("no more than it was trained for").hasValue(32_768);
        int asked = ollama.showRequests();
        assertThat(OllamaLlmStream.create(config().withOptions(Map.of("num_ctx", 16_384)))
                .contextTokens(ChatOptions.defaults())).hasValue(16_384);
        assertThat(ollama.showRequests()).as("chatstream's own num_ctx needs no question").isEqualTo(asked);
        ollama.close();
        assertThat(plain.contextTokens(ChatOptions.defaults().withModel("other")))
                .as("Ollama down: the default").hasValue(4096);
    }

    /** Issue 26: a wrong ollama.url (a proxy prefix, /api twice) meets gin's text 404, not a missing model. */
    @Test
    void shouldSayTheUrlIsWrongWhenNothingServesThePath() {
        OllamaConfig wrongUrl = config().withBaseUrl(java.net.URI.create(ollama.baseUrl() + "/api"));

        assertThatThrownBy(() -> run(wrongUrl))
                .isInstanceOfSatisfying(UpstreamException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LLM_FAILED))
                .hasMessage("Nothing at " + ollama.baseUrl() + "/api/api/chat answers as Ollama (HTTP 404, \"404 page "
                        + "not found\"): check ollama.url; it is the Ollama server's own address, such as "
                        + "http://127.0.0.1:11434, without /api or a proxy's path unless the proxy serves Ollama there");
    }

    /** Issue 26: cloud models' statuses (ollama/ollama server/routes.go): what to do, and what is transient. */
    @Test
    void shouldSayWhatToDoForACloudModelsStatuses() {
        ollama.enqueue(FakeOllama.Reply.statusWithBody(401,
                "{\"error\": \"unauthorized\", \"signin_url\": \"https://example.invalid/connect?key=x\"}"));
        assertFails(UpstreamException.class, ErrorCode.LLM_REJECTED, "Ollama needs a signed-in account for model "
                + "\"llama3.2\" (a cloud model): run `ollama signin` on the machine Ollama runs on, or choose a local "
                + "model (Ollama said: unauthorized)");
        ollama.enqueue(FakeOllama.Reply.status(403, "forbidden"));
        assertFails(UpstreamException.class, ErrorCode.LLM_REJECTED, "Ollama refused model \"llama3.2\" for this "
                + "account (HTTP 403): check the account's access to it, or choose a local model (Ollama said: "
                + "forbidden)");
        ollama.enqueue(FakeOllama.Reply.status(429, "too many requests"));
        assertThatThrownBy(this::run).isInstanceOfSatisfying(TransientException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.LLM_BUSY);
            assertThat(e.retryAfter()).contains(OllamaErrors.BUSY_BACKOFF);
        });
        ollama.enqueue(FakeOllama.Reply.status(502, "bad gateway"));
        assertThatThrownBy(this::run).isInstanceOfSatisfying(TransientException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.LLM_UNAVAILABLE))
                .hasMessage("Ollama could not reach the service behind model \"llama3.2\" (HTTP 502: bad gateway); try "
                        + "again in a moment");
    }

    /** Issue 26: Ollama never sends Retry-After with its 503; chatstream suggests its own wait. */
    @Test
    void shouldSuggestItsOwnWaitWhenBusyOllamaGivesNone() {
        ollama.enqueue(FakeOllama.Reply.status(503, "server busy, please try again.  maximum pending requests exceeded"));

        assertThatThrownBy(this::run).isInstanceOfSatisfying(TransientException.class,
                e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(5)));
    }

    @Test
    void shouldQuoteOllamaWhenItRejectsTheRequest() {
        ollama.enqueue(FakeOllama.Reply.status(400, "registry.ollama.ai/library/llama3.2:latest does not support thinking"));

        assertFails(UpstreamException.class, ErrorCode.LLM_REJECTED, "Ollama rejected the request for model "
                + "\"llama3.2\": registry.ollama.ai/library/llama3.2:latest does not support thinking");
    }

    @Test
    void shouldReportBusyAsRetryableWithTheRetryHint() {
        ollama.enqueue(FakeOllama.Reply.status(503, "server busy, please try again.  maximum pending requests exceeded")
                .retryAfter("7"));

        assertThatThrownBy(this::run).isInstanceOfSatisfying(TransientException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.LLM_BUSY);
            assertThat(e.retryable()).isTrue();
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
        }).hasMessage("Ollama is busy (its request queue is full); try again in a moment");
    }

    @Test
    void shouldReportAServerError() {
        ollama.enqueue(FakeOllama.Reply.status(500, "llama runner process has terminated: signal: killed"));

        assertFails(UpstreamException.class, ErrorCode.LLM_FAILED,
                "Ollama failed with HTTP status 500: llama runner process has terminated: signal: killed");
    }

    @Test
    void shouldTurnAnErrorLineUnderStatus200IntoAnErrorNotText() {
        ollama.enqueue(FakeOllama.Reply.stream().token("Olá ").errorLine("an error was encountered while running the model"));

        assertFails(UpstreamException.class, ErrorCode.LLM_FAILED,
                "Ollama failed while answering: an error was encountered while running the model");
        assertThat(text()).isEqualTo("Olá ");
    }

    @Test
    void shouldStopOnAMalformedLine() {
        ollama.enqueue(FakeOllama.Reply.stream().token("a").line("{\"message\": {\"content\": \"b\"").done());

        assertFails(TransientException.class, ErrorCode.LLM_PROTOCOL,
                "Ollama sent a line that is not valid JSON; the reply was stopped");
        assertThat(text()).isEqualTo("a");
    }

    @Test
    void shouldRefuseALineOverTheLimit() {
        ollama.enqueue(FakeOllama.Reply.stream().token("a").token("x".repeat(2 << 20)).done());

        assertFails(TransientException.class, ErrorCode.LLM_PROTOCOL,
                "Ollama sent a line longer than 1048576 bytes; the reply was stopped");
    }

    @Test
    void shouldReportAStreamThatEndsWithoutDone() {
        ollama.enqueue(FakeOllama.Reply.stream().token("a").token("b"));

        assertFails(TransientException.class, ErrorCode.LLM_PROTOCOL,
                "Ollama's reply ended before it was complete (no final \"done\" line); try again");
        assertThat(text()).isEqualTo("ab");
    }

    @Test
    void shouldReportAConnectionResetMidStream() {
        ollama.enqueue(FakeOllama.Reply.stream().token("a").pause(Duration.ofMillis(50)).reset());

        assertThatThrownBy(this::run).isInstanceOf(TransientException.class)
                .satisfies(e -> assertThat(((ChatException) e).code()).isIn(ErrorCode.LLM_UNAVAILABLE,
                        ErrorCode.LLM_PROTOCOL));
        assertThat(text()).isEqualTo("a");
    }

    @Test
    void shouldTimeOutWaitingForTheFirstTokenAndCloseTheConnection() {
        ollama.enqueue(FakeOllama.Reply.stream().stall());
        OllamaConfig config = config().withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300),
                Duration.ofSeconds(30), Duration.ofMinutes(1));

        assertThatThrownBy(() -> run(config)).isInstanceOf(TransientException.class)
                .hasMessage("Ollama sent nothing within 300 ms (the model may still be loading; raise the first-token "
                        + "timeout for big models); try again");
        assertThat(ollama.awaitClientDisconnect(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void shouldTimeOutOnSilenceMidStreamAndCloseTheConnection() {
        ollama.enqueue(FakeOllama.Reply.stream().token("a").stall());
        OllamaConfig config = config().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofMillis(300), Duration.ofMinutes(1));

        assertThatThrownBy(() -> run(config)).isInstanceOf(TransientException.class)
                .hasMessage("Ollama went silent for 300 ms in the middle of the reply; try again");
        assertThat(text()).isEqualTo("a");
        assertThat(ollama.awaitClientDisconnect(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void shouldAllowASlowFirstTokenWithinItsTimeout() {
        ollama.enqueue(FakeOllama.Reply.stream().pause(Duration.ofMillis(600)).token("loaded").done());
        OllamaConfig config = config().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofMillis(300), Duration.ofMinutes(1));

        run(config);

        assertThat(text()).isEqualTo("loaded");
    }

    @Test
    void shouldLeaveNoConnectionOpenAfterManyCancellations() throws Exception {
        OllamaLlmStream client = OllamaLlmStream.create(config());
        for (int i = 0; i < 30; i++) {
            ollama.enqueue(i % 2 == 0 ? FakeOllama.Reply.stream().stall()
                    : FakeOllama.Reply.stream().token("a").stall());
            Cancellation cancellation = new Cancellation();
            Thread stopper = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                cancellation.cancel("stop " + cancellation.hashCode());
            });
            assertThatThrownBy(() -> client.stream(request(), deltas::add, cancellation))
                    .isInstanceOf(dev.chatstream.core.StreamCancelledException.class);
            stopper.join();
        }

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (ollama.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(ollama.openConnections()).as("connections still open on the server").isZero();
    }

    @Test
    void shouldListModelsAndVersion() {
        ollama.models("llama3.2:latest", "qwen3:8b");
        OllamaLlmStream client = OllamaLlmStream.create(config());

        assertThat(client.models()).containsExactly("llama3.2:latest", "qwen3:8b");
        assertThat(client.isInstalled("llama3.2")).isTrue();
        assertThat(client.isInstalled("qwen3:8b")).isTrue();
        assertThat(client.isInstalled("llama9")).isFalse();
        assertThat(client.version()).isEqualTo("0.12.3");
    }

    @Test
    void shouldSayWhenOllamaAcceptsButDoesNotAnswerAReadinessCheck() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            URI url = URI.create("http://127.0.0.1:" + silent.getLocalPort());
            // the readiness request's limit is the connect timeout plus 10 s (OllamaLlmStream.METADATA_ANSWER);
            // the same limit, scaled down to 300 ms, so the test does not wait 10 s
            OllamaLlmStream client = OllamaLlmStream.create(config().withBaseUrl(url)
                    .withTimeouts(Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofSeconds(30),
                            Duration.ofMinutes(1)), Duration.ofMillis(300));

            assertThat(OllamaLlmStream.METADATA_ANSWER).isEqualTo(Duration.ofSeconds(10));
            assertThatThrownBy(client::version).isInstanceOf(TransientException.class)
                    .hasMessage("Ollama at " + url + " did not answer within 500 ms — is it running, and not "
                            + "overloaded?");
        }
    }

    @Test
    void shouldExplainABadConfiguration() {
        assertThatThrownBy(() -> OllamaConfig.defaults().withBaseUrl(URI.create("ftp://x")))
                .hasMessage("Ollama base URL must be http(s)://host[:port], got ftp://x");
        assertThatThrownBy(() -> OllamaConfig.defaults().withThink("maybe"))
                .hasMessage("think must be one of true, false, low, medium, high (or empty), got \"maybe\"");
        assertThatThrownBy(() -> OllamaConfig.defaults().withModel(" "))
                .hasMessage("Ollama model must not be blank (e.g. llama3.2)");
    }
}
