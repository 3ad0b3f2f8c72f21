package dev.chatstream.app;

import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.SseCodec;
import dev.chatstream.core.SseReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole response body read with the wire codec's reader ({@link SseReader}, the WHATWG rules): its events (name,
 * last id, data) and its comments ({@code ping}, {@code stream open}). {@link Event#event()} decodes one with
 * {@link SseCodec}, as {@code chat --server} does.
 */
record SseEvents(List<Event> events, List<String> comments) {
    record Event(String name, String id, String data) {
        /** This event as the core's event; fails the test for one the codec does not know. */
        ChatEvent event() {
            return SseCodec.decode(name, data).orElseThrow(() -> new AssertionError("not a chat event: " + this));
        }
    }

    static SseEvents parse(String stream) {
        List<Event> events = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        new SseReader((name, id, data) -> events.add(new Event(name, id.isEmpty() ? null : id, data)), comments::add)
                .feed(ByteBuffer.wrap(stream.getBytes(StandardCharsets.UTF_8)));
        return new SseEvents(List.copyOf(events), List.copyOf(comments));
    }

    List<String> names() {
        return events.stream().map(Event::name).toList();
    }

    Event last() {
        return events.get(events.size() - 1);
    }

    Event named(String name) {
        return events.stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " event in " + events));
    }
}
