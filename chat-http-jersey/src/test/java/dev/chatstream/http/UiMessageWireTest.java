package dev.chatstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.core.Action;
import dev.chatstream.core.ActionStatus;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A turn in the AI SDK's UI message stream: parts opened and closed in order, an action updated in place. */
class UiMessageWireTest {
    private final UiMessageWire wire = new UiMessageWire("t1");

    private String event(ChatEvent event) {
        return new String(wire.event(1, event), StandardCharsets.UTF_8);
    }

    @Test
    void shouldUpdateAnActionInPlaceWithItsResult() {
        ChatEvent.ActionRequested asked = new ChatEvent.ActionRequested(new Action("homeassistant_call_service",
                Map.of("domain", "lock")), Optional.of(new ChatEvent.ActionTicket("act_9", Optional.of(
                Instant.parse("2026-12-01T10:02:00Z")))));

        assertThat(event(asked)).isEqualTo("data: {\"type\": \"data-action\", \"id\": \"act_9\", \"data\": {\"tool\": "
                + "\"homeassistant_call_service\", \"args\": {\"domain\": \"lock\"}, \"action_id\": \"act_9\", "
                + "\"status\": \"needs_confirmation\", \"confirm_by\": \"2026-12-01T10:02:00Z\"}}\n\n");
        assertThat(event(new ChatEvent.ActionResult("act_9", ActionStatus.DONE, "Unlocked the door")))
                .as("the same id: the SDK replaces the part").startsWith("data: {\"type\": \"data-action\", \"id\": "
                        + "\"act_9\"").contains("\"status\": \"done\"").contains("\"message\": \"Unlocked the door\"");
        assertThat(event(new ChatEvent.ActionResult("unknown", ActionStatus.DONE, "?"))).isEmpty();
    }

    @Test
    void shouldCloseTheOpenPartBeforeAnErrorAndEndWithDone() {
        event(new ChatEvent.Chunk("Olá"));

        assertThat(event(new ChatEvent.Failed(ErrorCode.LLM_FAILED, "Ollama failed"))).isEqualTo(
                "data: {\"type\": \"text-end\", \"id\": \"text_t1_0\"}\n\n"
                        + "data: {\"type\": \"error\", \"errorText\": \"Ollama failed\"}\n\ndata: [DONE]\n\n");
    }

    @Test
    void shouldStartANewTextPartAfterReasoning() {
        assertThat(event(new ChatEvent.Thinking("a"))).startsWith("data: {\"type\": \"reasoning-start\"");
        assertThat(event(new ChatEvent.Thinking("b"))).startsWith("data: {\"type\": \"reasoning-delta\"");
        assertThat(event(new ChatEvent.Chunk("c"))).startsWith("data: {\"type\": \"reasoning-end\", \"id\": "
                + "\"reasoning_t1_0\"}\n\ndata: {\"type\": \"text-start\", \"id\": \"text_t1_1\"}");
    }
}
