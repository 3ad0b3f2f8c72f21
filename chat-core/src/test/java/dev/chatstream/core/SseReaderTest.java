package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseReaderTest {
    private final List<String> events = new ArrayList<>();
    private final SseReader parser = new SseReader((name, id, data) -> events.add(name + "|" + data));

    private void feed(byte[] bytes) {
        parser.feed(ByteBuffer.wrap(bytes));
    }

    @Test
    void shouldGiveTheSameEventsWhereverTheBytesAreSplit() {
        byte[] stream = (": stream open\n\nid: 1\ndata: {\"type\": \"chunk\", \"content\": \"Olá 🌍\"}\n\n"
                + "event: done\nid: 2\ndata: {\"finished\": true}\n\n").getBytes(StandardCharsets.UTF_8);
        List<String> whole = new ArrayList<>();
        new SseReader((n, i, d) -> whole.add(n + "|" + d)).feed(ByteBuffer.wrap(stream));

        for (int a = 0; a <= stream.length; a++) {
            events.clear();
            SseReader split = new SseReader((n, i, d) -> events.add(n + "|" + d));
            split.feed(ByteBuffer.wrap(Arrays.copyOfRange(stream, 0, a)));
            split.feed(ByteBuffer.wrap(Arrays.copyOfRange(stream, a, stream.length)));
            assertThat(events).as("split at byte %d", a).isEqualTo(whole);
        }
        assertThat(whole).containsExactly("message|{\"type\": \"chunk\", \"content\": \"Olá 🌍\"}",
                "done|{\"finished\": true}");
    }

    @Test
    void shouldAcceptEveryLineEndingAndJoinDataLines() {
        feed("event: a\r\ndata: one\r\ndata: two\r\n\r\nevent: b\rdata: three\r\r:comment\ndata:four\n\n"
                .getBytes(StandardCharsets.UTF_8));

        assertThat(events).containsExactly("a|one\ntwo", "b|three", "message|four");
    }

    @Test
    void shouldDispatchNothingForCommentsOrAnEventWithoutData() {
        feed(": ping\n\nevent: lonely\n\n: ping\n\n".getBytes(StandardCharsets.UTF_8));

        assertThat(events).isEmpty();
    }

    @Test
    void shouldNotDispatchAnEventBeforeItsBlankLine() {
        feed("data: half".getBytes(StandardCharsets.UTF_8));
        assertThat(events).isEmpty();

        feed("\n\n".getBytes(StandardCharsets.UTF_8));
        assertThat(events).containsExactly("message|half");
    }
}
