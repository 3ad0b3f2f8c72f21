package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.core.Device;
import dev.chatstream.core.HomeContext;
import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.UserId;
import dev.chatstream.ollama.FakeOllama.Reply;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChatStreamIT {
    private final ServerFixture f = new ServerFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    /** Issue 26: the server used to send no think, keep_alive or options, so thinking models thought every turn. */
    @Test
    void shouldSendOllamaTheConfiguredThinkKeepAliveAndOptions() {
        try (ServerFixture tuned = new ServerFixture(env -> {
            env.put("CHATSTREAM_OLLAMA_THINK", "false");
            env.put("CHATSTREAM_OLLAMA_KEEP_ALIVE", "-1");
            env.put("CHATSTREAM_OLLAMA_OPTIONS", "{\"num_ctx\": 8192}");
            return env;
        })) {
            tuned.ollama.enqueue(Reply.tokens("Olá"));

            assertThat(tuned.chat("Olá").statusCode()).isEqualTo(200);

            com.fasterxml.jackson.databind.JsonNode sent = ConversationsIT.json(tuned.ollama.chatBodies().get(0));
            assertThat(sent.get("think").isBoolean()).isTrue();
            assertThat(sent.get("think").asBoolean()).isFalse();
            assertThat(sent.get("keep_alive").asLong()).isEqualTo(-1);
            assertThat(sent.get("options").toString()).isEqualTo("{\"num_ctx\":8192}");
        }
        f.ollama.enqueue(Reply.tokens("Olá"));
        f.chat("Olá");
        assertThat(ConversationsIT.json(f.ollama.chatBodies().get(0)).has("think")).as("unset: not sent").isFalse();
    }

    /**
     * Issue 26: Ollama cuts a prompt over its context from the front, system prompt and ACTION rules first. The
     * server fits the prompt to the context (here num_ctx 1024), dropping the oldest history, and refuses a
     * message that cannot fit even alone instead of sending it to be cut.
     */
    @Test
    void shouldFitThePromptToOllamasContextAndRefuseWhatCannotFit() {
        try (ServerFixture small = new ServerFixture(env -> {
            env.put("CHATSTREAM_OLLAMA_OPTIONS", "{\"num_ctx\": 1024}");
            return env;
        })) {
            StringBuilder history = new StringBuilder("[");
            for (int i = 0; i < 12; i++) {
                history.append(i > 0 ? ", " : "").append("{\"role\": \"").append(i % 2 == 0 ? "user" : "assistant")
                        .append("\", \"content\": \"h").append(i).append(' ').append("palavra ".repeat(50)).append("\"}");
            }
            small.ollama.enqueue(Reply.tokens("ok"));

            StreamOutcome fitted = StreamOutcome.of(small, small.send(small.post("api/chat/stream/", small.anaToken,
                    "{\"message\": \"agora\", \"history\": " + history + "]}")));

            assertThat(fitted.code()).isEqualTo("done");
            com.fasterxml.jackson.databind.JsonNode messages = ConversationsIT.json(small.ollama.chatBodies().get(0))
                    .get("messages");
            assertThat(messages.get(0).get("role").asText()).isEqualTo("system");
            assertThat(messages.get(0).get("content").asText()).contains("ACTION:");
            assertThat(messages.get(messages.size() - 1).get("content").asText()).isEqualTo("agora");
            assertThat(messages.size() - 2).as("history kept").isBetween(1, 11);
            assertThat(messages.get(messages.size() - 2).get("content").asText()).as("the newest kept")
                    .startsWith("h11 ");

            StreamOutcome refused = StreamOutcome.of(small, small.chat("conta-me isto: " + "palavra ".repeat(500)));

            assertThat(refused.code()).isEqualTo("prompt_too_long");
            assertThat(refused.error()).startsWith("The prompt needs about ").contains("(it holds 1024 tokens");
            assertThat(small.ollama.chatBodies()).as("nothing sent to be cut").hasSize(1);
        }
    }

    @Test
    void shouldStreamAReplyByteForByte() {
        f.ollama.enqueue(Reply.tokens("Olá", ", Ana", "!"));

        HttpResponse<String> r = f.chat("Olá");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(r.headers().firstValue("X-Accel-Buffering")).hasValue("no");
        assertThat(r.headers().firstValue("Content-Encoding")).isEmpty();
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        String turn = r.headers().firstValue("X-Turn-Id").orElseThrow();
        assertThat(r.body().replace("id: " + turn + ":", "id: TURN:")).isEqualTo("""
                : stream open

                id: TURN:1
                data: {"type": "chunk", "content": "Olá"}

                id: TURN:2
                data: {"type": "chunk", "content": ", Ana"}

                id: TURN:3
                data: {"type": "chunk", "content": "!"}

                event: final_text
                id: TURN:4
                data: {"text": "Olá, Ana!"}

                event: done
                id: TURN:5
                data: {"finished": true, "prompt_tokens": 42, "completion_tokens": 20, "total_duration_ms": 1500, \
                "load_duration_ms": 200, "tokens_per_second": 20.0, "done_reason": "stop", "request_id": "%s", \
                "conversation_id": %d}

                """.formatted(id, latestConversationOfAna()));
    }

    @Test
    void shouldHideTheActionLineAndSendItAsAnActionEventByteForByte() {
        f.ollama.enqueue(Reply.tokens("Vou ligar o ar.\n", "ACTION: {\"tool\": \"homeassistant_call_service\", ",
                "\"args\": {\"domain\": \"climate\", \"temperature\": 22}}"));

        HttpResponse<String> r = f.chat("Liga o ar da sala a 22 graus");

        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        String turn = r.headers().firstValue("X-Turn-Id").orElseThrow();
        assertThat(r.body().replace("id: " + turn + ":", "id: TURN:")).isEqualTo("""
                : stream open

                id: TURN:1
                data: {"type": "chunk", "content": "Vou ligar o ar.\\n"}

                event: final_text
                id: TURN:2
                data: {"text": "Vou ligar o ar."}

                event: action
                id: TURN:3
                data: {"action": {"tool": "homeassistant_call_service", "args": {"domain": "climate", \
                "temperature": 22}}}

                event: done
                id: TURN:4
                data: {"finished": true, "prompt_tokens": 42, "completion_tokens": 20, "total_duration_ms": 1500, \
                "load_duration_ms": 200, "tokens_per_second": 20.0, "done_reason": "stop", "request_id": "%s", \
                "conversation_id": %d}

                """.formatted(id, latestConversationOfAna()));
    }

    @Test
    void shouldSendABadActionLineAsItsOwnEventThatOldClientsIgnore() {
        f.ollama.enqueue(Reply.tokens("Feito.\nACTION: {not json"));

        SseEvents events = SseEvents.parse(f.chat("Liga a luz").body());

        assertThat(events.names()).containsExactly("message", "final_text", "action_error", "done");
        assertThat(events.named("action_error").data()).contains("\"code\": \"invalid_action\"");
    }

    @Test
    void shouldAnswerTheGetFormWithAndWithoutTheTrailingSlash() {
        f.ollama.enqueue(Reply.tokens("um")).enqueue(Reply.tokens("dois"));

        HttpResponse<String> slash = f.send(f.get("api/chat/stream/?message=Ol%C3%A1", f.anaToken));
        HttpResponse<String> bare = f.send(f.get("api/chat/stream?message=Ol%C3%A1", f.anaToken));

        assertThat(SseEvents.parse(slash.body()).events().get(0).data()).contains("\"um\"");
        assertThat(SseEvents.parse(bare.body()).events().get(0).data()).contains("\"dois\"");
        assertThat(f.ollama.chatBodies().get(0)).contains("Olá");
    }

    @Test
    void shouldAcceptThePostFormWithoutTheTrailingSlash() {
        f.ollama.enqueue(Reply.tokens("ok"));

        HttpResponse<String> r = f.send(f.post("api/chat/stream", f.anaToken, "{\"message\": \"Olá\"}"));

        assertThat(SseEvents.parse(r.body()).names()).containsExactly("message", "final_text", "done");
    }

    /**
     * Issue 23: phases, for a client that asks: a cold model (Ollama's /api/ps lists none, the first line after a
     * delay) that thinks says loading_model, thinking, generating, once each, in order, before what they announce; a
     * client that does not ask (every old one) never sees an event it does not know.
     */
    @Test
    void shouldSayThePhasesInOrderOnlyToAClientThatAsks() {
        f.ollama.cold(true).enqueue(Reply.stream().pause(Duration.ofMillis(300)).thinking("Hmm.").token("Olá")
                .token("!").done());
        f.ollama.enqueue(Reply.stream().thinking("Hmm.").token("Olá").done());

        SseEvents asked = SseEvents.parse(f.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"Olá\", \"phases\": true}")).body());
        SseEvents plain = SseEvents.parse(f.chat("Olá").body());

        assertThat(asked.names()).containsExactly("phase", "phase", "phase", "message", "message", "final_text",
                "done");
        assertThat(asked.events().subList(0, 3)).extracting(e -> ConversationsIT.json(e.data()).get("phase").asText())
                .containsExactly("loading_model", "thinking", "generating");
        assertThat(asked.events().subList(0, 3)).extracting(e -> ConversationsIT.json(e.data()).get("at_ms").asLong())
                .isSorted();
        assertThat(plain.names()).containsExactly("message", "final_text", "done");
        JsonNode done = ConversationsIT.json(asked.named("done").data());
        assertThat(done.get("time_to_first_token_ms").asLong()).as("the thinking phase's time")
                .isEqualTo(ConversationsIT.json(asked.events().get(1).data()).get("at_ms").asLong());
        assertThat(done.get("prompt_eval_ms").asLong()).isEqualTo(300);
        assertThat(ConversationsIT.json(plain.named("done").data()).has("time_to_first_token_ms")).isFalse();
    }

    /**
     * Issue 23 part 2: speech segments for a client that asks, each right after the chunk that completed it (the first
     * one before the model's next token), never the ACTION line or Markdown; a reader of the turn's events gets them
     * with ?speech=true; a client that does not ask never sees one.
     */
    @Test
    void shouldSendSpeechSegmentsAsTheyCompleteOnlyToAClientThatAsks() {
        for (int i = 0; i < 2; i++) {
            f.ollama.enqueue(Reply.stream().token("**Claro!** ").pause(Duration.ofMillis(200)).token("Vou ligar ")
                    .token("o ar da sala.\n").token("ACTION: {\"tool\": \"homeassistant_call_service\", \"args\": "
                            + "{\"domain\": \"climate\", \"service\": \"turn_on\"}}").done());
        }

        HttpResponse<String> response = f.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"Liga o ar\", \"speech\": true, \"resumable\": true}"));
        SseEvents asked = SseEvents.parse(response.body());
        SseEvents plain = SseEvents.parse(f.chat("Liga o ar").body());

        assertThat(asked.names().subList(0, 2)).as("the first segment before the next token").containsExactly(
                "message", "speech");
        List<JsonNode> speech = asked.events().stream().filter(e -> e.name().equals("speech"))
                .map(e -> ConversationsIT.json(e.data())).toList();
        assertThat(speech).extracting(s -> s.get("text").asText()).containsExactly("Claro!", "Vou ligar o ar da sala.");
        assertThat(speech).extracting(s -> s.get("index").asInt()).containsExactly(0, 1);
        assertThat(asked.names().indexOf("final_text")).as("all said before the text's end")
                .isGreaterThan(asked.names().lastIndexOf("speech"));
        assertThat(plain.names()).doesNotContain("speech");
        assertThat(plain.events()).extracting(e -> Long.parseLong(e.id().substring(e.id().lastIndexOf(':') + 1)))
                .as("an old client's event ids are what they were: 1, 2, 3... with no gap for a segment")
                .isEqualTo(java.util.stream.LongStream.rangeClosed(1, plain.events().size()).boxed().toList());
        String turn = response.headers().firstValue("X-Turn-Id").orElseThrow();
        SseEvents again = SseEvents.parse(f.send(f.get("api/chat/turns/" + turn + "/events?speech=true", f.anaToken))
                .body());
        SseEvents againPlain = SseEvents.parse(f.send(f.get("api/chat/turns/" + turn + "/events", f.anaToken)).body());
        assertThat(again.names()).containsExactlyElementsOf(asked.names());
        assertThat(againPlain.names()).doesNotContain("speech").contains("message", "final_text", "done");
    }

    @Test
    void shouldSendThinkingOnlyWhenAskedFor() {
        f.ollama.enqueue(Reply.stream().thinking("Hmm, a saudação.").token("Olá").done());
        f.ollama.enqueue(Reply.stream().thinking("Hmm, a saudação.").token("Olá").done());

        SseEvents plain = SseEvents.parse(f.chat("Olá").body());
        SseEvents asked = SseEvents.parse(f.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"Olá\", \"include_thinking\": true}")).body());

        assertThat(plain.names()).containsExactly("message", "final_text", "done");
        assertThat(asked.names()).containsExactly("thinking", "message", "final_text", "done");
        assertThat(asked.named("thinking").data()).isEqualTo("{\"content\": \"Hmm, a saudação.\"}");
    }

    @Test
    void shouldKeepTheFramingIntactWhateverTheModelWrites() {
        List<String> nasty = List.of("a\nb", "c\r\nd", "e\rf", "\ndata: {\"type\": \"fake\"}\n\n", "event: error\n",
                ": not a comment", "\u2028\u2029", "😀 çã");
        f.ollama.enqueue(Reply.tokens(nasty.toArray(String[]::new)));

        SseEvents events = SseEvents.parse(f.chat("Olá").body());

        List<String> chunks = events.events().stream().filter(e -> e.name().equals("message"))
                .map(e -> readTree(e.data()).get("content").textValue())
                .toList();
        assertThat(chunks).isEqualTo(nasty);
        assertThat(events.names()).endsWith("final_text", "done");
    }

    @Test
    void shouldPutOnlyTheUsersOwnHomeInThePrompt() {
        HomeContextStore homes = f.server.component(HomeContextStore.class);
        homes.replaceHomeContext(UserId.of("ana"), new HomeContext(List.of(
                new Device("climate.escritorio_ana", "Ar da sala", "Sala", List.of()))));
        homes.replaceHomeContext(UserId.of("rui"), new HomeContext(List.of(
                new Device("light.quarto_rui", "Luz do Rui", "Quarto", List.of()))));
        f.ollama.enqueue(Reply.tokens("ok")).enqueue(Reply.tokens("ok"));

        f.chat("Olá");
        f.send(f.post("api/chat/stream/", f.ruiToken, "{\"message\": \"Olá\"}"));

        assertThat(f.ollama.chatBodies().get(0)).contains("climate.escritorio_ana").doesNotContain("light.quarto_rui");
        assertThat(f.ollama.chatBodies().get(1)).contains("light.quarto_rui").doesNotContain("climate.escritorio_ana");

        homes.replaceHomeContext(UserId.of("ana"), new HomeContext(List.of(
                new Device("light.cozinha_ana", "Luz da cozinha", "Cozinha", List.of()))));
        f.ollama.enqueue(Reply.tokens("ok"));
        f.chat("Olá");
        assertThat(f.ollama.chatBodies().get(2)).as("a changed home reaches the next prompt despite the cache")
                .contains("light.cozinha_ana").doesNotContain("climate.escritorio_ana");
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError(json, e);
        }
    }

    private long latestConversationOfAna() {
        return f.server.component(dev.chatstream.core.ConversationStore.class)
                .conversations(dev.chatstream.core.UserId.of("ana")).getFirst().id();
    }
}
