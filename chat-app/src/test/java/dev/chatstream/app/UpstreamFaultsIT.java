package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama;
import dev.chatstream.ollama.FakeOllama.Reply;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reliability matrix, upstream faults (docs/reliability.md): each fault of Ollama, over real HTTP through the
 * server and the real store, ends the client's stream with exactly one terminal event carrying the exact code
 * and message, and keeps what the user saw in the stored conversation.
 */
class UpstreamFaultsIT {
    /** Short Ollama timeouts, so the timeout cases take seconds (the defaults: 120 s first token, 30 s idle). */
    private final ServerFixture f = new ServerFixture(env -> {
        env.put("CHATSTREAM_OLLAMA_FIRST_TOKEN_SECONDS", "3");
        env.put("CHATSTREAM_OLLAMA_IDLE_SECONDS", "1");
        return env;
    });

    @AfterEach
    void stop() {
        f.close();
    }

    private StreamOutcome chat(Reply reply) {
        f.ollama.enqueue(reply);
        return StreamOutcome.of(f, f.chat("Que tempo faz?"));
    }

    @Test
    void shouldSayOllamaIsAwayWhenItRefusesTheConnection() {
        FakeOllama gone = f.ollama;
        gone.close();

        StreamOutcome out = StreamOutcome.of(f, f.chat("Que tempo faz?"));

        assertThat(out.code()).isEqualTo("llm_unavailable");
        assertThat(out.error()).isEqualTo("Ollama is not reachable at " + gone.baseUrl()
                + " — is it running? (start it with `ollama serve`, or set ollama.url, CHATSTREAM_OLLAMA_URL, to where "
                + "it runs)");
        assertThat(out.stored()).as("a new conversation holding only this error is not kept (issue 27 item 2)")
                .isEmpty();
        assertThat(out.data().has("conversation_id")).isFalse();
        assertThat(ConversationsIT.json(f.send(f.get("api/conversations", f.anaToken)).body()).get("conversations"))
                .isEmpty();
    }

    @Test
    void shouldNameTheMissingModelAndTheFix() {
        StreamOutcome out = chat(Reply.status(404, "model 'llama3.2' not found"));

        assertThat(out.code()).isEqualTo("model_not_found");
        assertThat(out.error()).isEqualTo("The model \"llama3.2\" is not installed on Ollama at " + f.ollama.baseUrl()
                + ": run `ollama pull llama3.2` (Ollama said: model 'llama3.2' not found)");
    }

    @Test
    void shouldPassOnBusyWithItsRetryAfter() {
        StreamOutcome out = chat(Reply.status(503, "server busy, please try again.  maximum pending requests exceeded")
                .retryAfter("7"));

        assertThat(out.code()).isEqualTo("llm_busy");
        assertThat(out.error()).isEqualTo("Ollama is busy (its request queue is full); try again in a moment");
        assertThat(out.data().get("retry_after").asLong()).isEqualTo(7);
    }

    @Test
    void shouldReportAnOllamaServerError() {
        StreamOutcome out = chat(Reply.status(500, "llama runner process has terminated: signal: killed"));

        assertThat(out.code()).isEqualTo("llm_failed");
        assertThat(out.error()).isEqualTo("Ollama failed with HTTP status 500: llama runner process has terminated: signal: killed");
    }

    @Test
    void shouldEndWithTheErrorLineOfAStreamThatFailsMidway() {
        StreamOutcome out = chat(Reply.stream().token("Está ").token("sol ").errorLine("model crashed"));

        assertThat(out.text()).isEqualTo("Está sol ");
        assertThat(out.code()).isEqualTo("llm_failed");
        assertThat(out.error()).isEqualTo("Ollama failed while answering: model crashed");
        assertThat(out.stored()).containsExactly("user:Que tempo faz?:complete", "assistant:Está sol:failed");
    }

    @Test
    void shouldStopAtAMalformedLine() {
        StreamOutcome out = chat(Reply.stream().token("Está ").line("{not json").token("sol").done());

        assertThat(out.text()).isEqualTo("Está ");
        assertThat(out.code()).isEqualTo("llm_protocol");
        assertThat(out.error()).isEqualTo("Ollama sent a line that is not valid JSON; the reply was stopped");
        assertThat(out.stored()).containsExactly("user:Que tempo faz?:complete", "assistant:Está:failed");
    }

    @Test
    void shouldRefuseATwoMebibyteLineWithoutHoldingIt() {
        String huge = "{\"message\":{\"role\":\"assistant\",\"content\":\"" + "x".repeat(2 << 20) + "\"},\"done\":false}";

        StreamOutcome out = chat(Reply.stream().token("Está ").line(huge).done());

        assertThat(out.text()).isEqualTo("Está ");
        assertThat(out.code()).isEqualTo("llm_protocol");
        assertThat(out.error()).isEqualTo("Ollama sent a line longer than 1048576 bytes; the reply was stopped");
    }

    @Test
    void shouldReportAStreamThatEndsWithoutDone() {
        StreamOutcome out = chat(Reply.stream().token("Está ").token("sol"));

        assertThat(out.text()).isEqualTo("Está sol");
        assertThat(out.code()).isEqualTo("llm_protocol");
        assertThat(out.error()).isEqualTo("Ollama's reply ended before it was complete (no final \"done\" line); try again");
        assertThat(out.stored()).containsExactly("user:Que tempo faz?:complete", "assistant:Está sol:failed");
    }

    @Test
    void shouldReportAConnectionResetMidStream() {
        StreamOutcome out = chat(Reply.stream().token("Está ").token("sol ").pause(Duration.ofMillis(300)).reset());

        assertThat(out.text()).isEqualTo("Está sol ");
        assertThat(out.code()).isEqualTo("llm_unavailable");
        assertThat(out.error()).isEqualTo("The connection to Ollama at " + f.ollama.baseUrl()
                + " broke before the reply was complete; try again");
        assertThat(out.stored()).containsExactly("user:Que tempo faz?:complete", "assistant:Está sol:failed");
    }

    @Test
    void shouldTimeOutOnSilenceMidStreamAndCloseOllama() {
        StreamOutcome out = chat(Reply.stream().token("Está ").stall());

        assertThat(out.text()).isEqualTo("Está ");
        assertThat(out.code()).isEqualTo("llm_timeout");
        assertThat(out.error()).isEqualTo("Ollama went silent for 1 s in the middle of the reply; try again");
        assertThat(f.ollama.awaitClientDisconnect(Duration.ofSeconds(5))).as("the upstream was closed").isTrue();
        assertThat(out.stored()).containsExactly("user:Que tempo faz?:complete", "assistant:Está:failed");
    }

    @Test
    void shouldTimeOutWaitingForTheFirstTokenAndCloseOllama() {
        // The shortest first-token timeout there is (1 s), on a server of its own: the others' 3 s leave room for a
        // busy machine's first token, and this test must not wait through them.
        try (ServerFixture quick = new ServerFixture(env -> {
            env.put("CHATSTREAM_OLLAMA_FIRST_TOKEN_SECONDS", "1");
            return env;
        })) {
            quick.ollama.enqueue(Reply.stream().stall());
            StreamOutcome out = StreamOutcome.of(quick, quick.chat("Que tempo faz?"));

            assertThat(out.code()).isEqualTo("llm_timeout");
            assertThat(out.error()).isEqualTo("Ollama sent nothing within 1 s (the model may still be loading; raise the "
                    + "first-token timeout for big models); try again");
            assertThat(quick.ollama.awaitClientDisconnect(Duration.ofSeconds(5))).as("the upstream was closed").isTrue();
        }
    }

    @Test
    void shouldGiveTheSameReplyWhereverOllamasLinesAreSplit() {
        String line = "{\"message\":{\"role\":\"assistant\",\"content\":\"Olá, está sol 🌞 em Évora\"},\"done\":false}";
        int length = line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        int[] everyOffset = java.util.stream.IntStream.range(1, length).toArray();

        StreamOutcome out = chat(Reply.stream().splitAt(line + "\n", everyOffset).done());

        assertThat(out.code()).isEqualTo("done");
        assertThat(out.text()).isEqualTo("Olá, está sol 🌞 em Évora");
        assertThat(out.stored()).containsExactly("user:Que tempo faz?:complete",
                "assistant:Olá, está sol 🌞 em Évora:complete");
    }

    @Test
    void shouldKeepEmojiAndAccentsWholeWhenTheyAreSplitAcrossReads() {
        String line = "{\"message\":{\"role\":\"assistant\",\"content\":\"ção 👍🏽\"},\"done\":false}";
        byte[] bytes = line.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int c = line.indexOf("ção");
        int prefix = line.substring(0, c).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        // inside "ç" (2 bytes), inside "ã" (2 bytes), inside the 4-byte thumb and its 4-byte skin tone
        int[] inside = {prefix + 1, prefix + 3, prefix + 6, prefix + 8, prefix + 9, prefix + 12, prefix + 14};

        StreamOutcome out = chat(Reply.stream().splitAt(line + "\n", inside).done());

        assertThat(bytes.length).isGreaterThan(prefix + 14);
        assertThat(out.text()).isEqualTo("ção 👍🏽");
    }
}
