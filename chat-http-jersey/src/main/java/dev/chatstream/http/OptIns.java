package dev.chatstream.http;

import dev.chatstream.core.ChatEvent;

/**
 * The events a client of chatstream's own protocol asked for beyond what every client gets: {@code phase} events
 * ({@code "phases": true}) and {@code speech} segments ({@code "speech": true}); {@code ?phases=true},
 * {@code ?speech=true} on the {@code GET} forms and on a turn's events. A turn's log keeps them only when its starter
 * asked (each event in the log has a number, and an old client's event ids must stay what they were), and a stream
 * writes them only to a reader that asked.
 */
record OptIns(boolean phases, boolean speech) {
    static final OptIns NONE = new OptIns(false, false);

    /** From a request's query parameters. */
    static OptIns ofQuery(jakarta.ws.rs.core.MultivaluedMap<String, String> query) {
        return new OptIns("true".equalsIgnoreCase(query.getFirst("phases")),
                "true".equalsIgnoreCase(query.getFirst("speech")));
    }

    /** Whether {@code event} is for this client: every event but the kinds it did not ask for. */
    boolean wants(ChatEvent event) {
        return switch (event) {
            case ChatEvent.Phase p -> phases;
            case ChatEvent.Speech s -> speech;
            default -> true;
        };
    }
}
