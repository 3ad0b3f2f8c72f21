package dev.chatstream.app;

import java.util.ArrayList;
import java.util.List;

/**
 * An SSE parser written from the WHATWG rules, independent of the server's writer: events end at a blank
 * line, lines starting with ':' are comments, "field: value" strips one space, several data lines join
 * with '\n', and CR, LF and CRLF all end lines.
 */
record SseEvents(List<Event> events, List<String> comments) {
    record Event(String name, String id, String data) {
    }

    static SseEvents parse(String stream) {
        List<Event> events = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        String name = "message";
        String id = null;
        StringBuilder data = null;
        for (String line : stream.split("\r\n|\r|\n", -1)) {
            if (line.isEmpty()) {
                if (data != null) {
                    events.add(new Event(name, id, data.toString()));
                }
                name = "message";
                data = null;
                continue;
            }
            if (line.startsWith(":")) {
                comments.add(line.substring(1).strip());
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> name = value;
                case "id" -> id = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> { }
            }
        }
        return new SseEvents(events, comments);
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
