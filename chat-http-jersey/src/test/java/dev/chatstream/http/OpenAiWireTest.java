package dev.chatstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.core.Action;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.Usage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A turn in OpenAI's shape: the chunks chatstream's events become, the whole answer, and failures with statuses. */
class OpenAiWireTest {
    private final OpenAiWire wire = new OpenAiWire("t1", 1_796_119_200L, "llama3.2", false);

    private String event(ChatEvent event) {
        return new String(wire.event(1, event), StandardCharsets.UTF_8);
    }

    @Test
    void shouldSendReasoningAsReasoningContentAndSkipWhatOpenAiHasNoPlaceFor() {
        assertThat(event(new ChatEvent.Thinking("hmm"))).contains("\"delta\": {\"reasoning_content\": \"hmm\"}");
        assertThat(event(new ChatEvent.FinalText("Olá"))).isEmpty();
        assertThat(event(new ChatEvent.InvalidAction("bad line"))).isEmpty();
        assertThat(event(new ChatEvent.ActionResult("a1", dev.chatstream.core.ActionStatus.DONE, "ok"))).isEmpty();
        assertThat(event(new ChatEvent.Queued(2))).isEqualTo(": queued\n\n");
    }

    @Test
    void shouldNameAToolCallAfterItsTicketSoItCanBeConfirmed() {
        ChatEvent.ActionRequested asked = new ChatEvent.ActionRequested(new Action("homeassistant_call_service",
                Map.of("domain", "lock")), Optional.of(new ChatEvent.ActionTicket("act_9f", Optional.of(
                java.time.Instant.EPOCH))));

        assertThat(event(asked)).contains("\"id\": \"act_9f\"");
        assertThat(event(new ChatEvent.Done(Usage.unknown()))).contains("\"finish_reason\": \"tool_calls\"")
                .endsWith("data: [DONE]\n\n").doesNotContain("usage");
    }

    @Test
    void shouldEndAFailedStreamWithAnErrorInOpenAisShapeThenDone() {
        assertThat(event(new ChatEvent.Failed(ErrorCode.LLM_UNAVAILABLE, "Ollama is not reachable"))).isEqualTo(
                "data: {\"error\": {\"message\": \"Ollama is not reachable\", \"type\": \"server_error\", \"param\": "
                        + "null, \"code\": \"llm_unavailable\"}}\n\ndata: [DONE]\n\n");
    }

    @Test
    void shouldSayLengthWhenTheModelWasCutShort() {
        Usage cut = new Usage(10, 5, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Usage.LENGTH);

        assertThat(event(new ChatEvent.Done(cut))).contains("\"finish_reason\": \"length\"");
        assertThat(wire.completion(List.of(new ChatEvent.Chunk("Era uma vez"), new ChatEvent.Done(cut))).body())
                .contains("\"content\": \"Era uma vez\"").contains("\"finish_reason\": \"length\"")
                .contains("\"total_tokens\": 15");
    }

    @Test
    void shouldAnswerAFailedTurnWithItsStatusAndWhenToRetry() {
        ChatGate.Answer busy = wire.completion(List.of(new ChatEvent.Failed(ErrorCode.LLM_BUSY, "Ollama is busy",
                OptionalLong.empty(), Duration.ofSeconds(3))));
        assertThat(busy.status()).isEqualTo(503);
        assertThat(busy.retryAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(busy.body()).contains("\"code\": \"llm_busy\"").contains("\"type\": \"server_error\"");

        assertThat(wire.completion(List.of(new ChatEvent.Chunk("a"))).status()).as("the client left: no terminal event")
                .isEqualTo(499);
        assertThat(OpenAiWire.status(ErrorCode.MODEL_NOT_FOUND)).isEqualTo(404);
        assertThat(OpenAiWire.status(ErrorCode.PROMPT_TOO_LONG)).isEqualTo(400);
        assertThat(OpenAiWire.status(ErrorCode.LLM_TIMEOUT)).isEqualTo(504);
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(OpenAiWire.status(code)).isBetween(400, 599);
        }
    }
}
