package dev.chatstream.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.Action;
import dev.chatstream.core.ActionStatus;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The copy of a turn's log in Redis gives back every kind of event as it was. */
class EventJsonTest {

    @Test
    void shouldGiveBackEveryKindOfEventAsItWas() {
        List<ChatEvent> events = List.of(
                new ChatEvent.Chunk("Olá \"ana\"\n😀 ção"),
                new ChatEvent.Thinking("hmm"),
                new ChatEvent.Queued(3),
                new ChatEvent.Phase(ChatEvent.Phase.Kind.LOADING_MODEL, 120),
                new ChatEvent.Speech("Olá.", 0),
                new ChatEvent.FinalText("Olá."),
                new ChatEvent.ActionRequested(new Action("light.turn_on", Map.of("entity_id", "light.sala",
                        "brightness", 80L))),
                new ChatEvent.ActionRequested(new Action("lock.unlock", Map.of("entity_id", "lock.porta")),
                        Optional.of(new ChatEvent.ActionTicket("tk1", Optional.of(Instant.ofEpochMilli(1_764_000_000_123L))))),
                new ChatEvent.ActionRequested(new Action("light.turn_off", Map.of()),
                        Optional.of(new ChatEvent.ActionTicket("tk2", Optional.empty()))),
                new ChatEvent.ActionResult("tk1", ActionStatus.PENDING_CONFIRMATION, "Confirme"),
                new ChatEvent.InvalidAction("ACTION: ???"),
                new ChatEvent.Done(new Usage(12, 34, Duration.ofMillis(900), Duration.ofMillis(1), Duration.ofMillis(2),
                        Duration.ofMillis(800), "stop"), OptionalLong.of(42)),
                new ChatEvent.Done(Usage.unknown()),
                new ChatEvent.Failed(ErrorCode.NODE_LOST, "gone"),
                new ChatEvent.Failed(ErrorCode.SERVER_BUSY, "busy", OptionalLong.of(9), Duration.ofSeconds(3)));
        for (ChatEvent e : events) {
            String json = EventJson.write(e);
            assertThat(json).as("one line").doesNotContain("\n");
            assertThat(EventJson.read(json)).as(json).isEqualTo(e);
        }
    }

    @Test
    void shouldRefuseWhatIsNotALoggedEvent() {
        assertThatThrownBy(() -> EventJson.read("{\"t\": \"nope\"}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventJson.read("{\"t\": \"chunk\"}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventJson.read("[1]")).isInstanceOf(IllegalArgumentException.class);
    }
}
