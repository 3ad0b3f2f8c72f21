package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * One whole stream, read with the independent {@link SseEvents} parser and checked for the rule every
 * reliability case shares: exactly one terminal event ({@code done} or {@code error}), and it is the last.
 *
 * @param text     the chunks, joined: what the user saw
 * @param terminal the {@code done} or {@code error} event
 * @param stored   the stored turn as {@code role:content:status}, read back through the API
 */
record StreamOutcome(SseEvents events, String text, SseEvents.Event terminal, List<String> stored) {

    /** A stream of ana's. */
    static StreamOutcome of(ServerFixture f, HttpResponse<String> response) {
        return of(f, f.anaToken, response);
    }

    /** A stream of the user whose token is {@code token}. */
    static StreamOutcome of(ServerFixture f, String token, HttpResponse<String> response) {
        assertThat(response.statusCode()).as("the stream opened").isEqualTo(200);
        SseEvents events = SseEvents.parse(response.body());
        List<SseEvents.Event> terminals = events.events().stream()
                .filter(e -> e.name().equals("done") || e.name().equals("error")).toList();
        assertThat(terminals).as("exactly one terminal event in %s", events.events()).hasSize(1);
        assertThat(events.last()).as("the terminal event is the last").isEqualTo(terminals.getFirst());
        StringBuilder text = new StringBuilder();
        for (SseEvents.Event e : events.events()) {
            if (e.name().equals("message")) {
                text.append(ConversationsIT.json(e.data()).get("content").asText());
            }
        }
        JsonNode data = ConversationsIT.json(terminals.getFirst().data());
        List<String> stored = data.has("conversation_id")
                ? ConversationsIT.contents(f, token, data.get("conversation_id").asLong()) : List.of();
        return new StreamOutcome(events, text.toString(), terminals.getFirst(), stored);
    }

    JsonNode data() {
        return ConversationsIT.json(terminal.data());
    }

    String code() {
        return terminal.name().equals("done") ? "done" : data().get("code").asText();
    }

    String error() {
        return data().path("error").asText();
    }
}
