package dev.chatstream.core;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An incremental Server-Sent Events parser (the WHATWG rules): bytes go in as they arrive, split anywhere,
 * and complete events come out. Lines end with {@code \n}, {@code \r\n} or a lone {@code \r}; a line is
 * decoded as UTF-8 only once it is whole, so a character split across reads arrives intact; comments
 * ({@code :}) are skipped; several {@code data:} lines join with {@code \n}; the last {@code id:} is kept, as a
 * browser's {@code EventSource} keeps it. The decoding half of chatstream's wire format with {@link SseCodec}.
 * Not thread-safe.
 */
public final class SseReader {
    /** Receives each complete event. */
    public interface Listener {
        /**
         * @param name {@code "message"} when the event had no {@code event:} line
         * @param id   the last {@code id:} seen so far in the stream, empty before any
         * @param data the event's data lines, joined with {@code \n}
         */
        void event(String name, String id, String data);
    }

    private final Listener listener;
    private final java.util.function.Consumer<String> comments;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final StringBuilder data = new StringBuilder();
    private String name = "";
    private String lastId = "";
    private boolean hasData;
    private boolean afterCr;

    /** A reader that passes events to {@code listener} and skips comments. */
    public SseReader(Listener listener) {
        this(listener, comment -> { });
    }

    /**
     * A reader that also passes each comment line's text ({@code "ping"} for {@code : ping}) to {@code comments},
     * for those who watch heartbeats.
     */
    public SseReader(Listener listener, java.util.function.Consumer<String> comments) {
        this.listener = Checks.notNull(listener, "listener");
        this.comments = Checks.notNull(comments, "comments");
    }

    /** Reads {@code bytes} (all of them), calling the listener for each event they complete. */
    public void feed(ByteBuffer bytes) {
        while (bytes.hasRemaining()) {
            byte b = bytes.get();
            if (afterCr) {
                afterCr = false;
                if (b == '\n') {
                    continue; // the \n of a \r\n
                }
            }
            if (b == '\r') {
                afterCr = true;
                endLine();
            } else if (b == '\n') {
                endLine();
            } else {
                line.write(b);
            }
        }
    }

    private void endLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.startsWith(":")) {
            comments.accept(text.substring(1).strip());
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> name = value;
            case "data" -> {
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
            }
            case "id" -> {
                if (value.indexOf('\0') < 0) { // the rules ignore an id with a NUL
                    lastId = value;
                }
            }
            default -> {
                // retry means nothing to this reader; unknown fields are ignored by the rules
            }
        }
    }

    private void dispatch() {
        if (hasData) {
            listener.event(name.isEmpty() ? "message" : name, lastId, data.toString());
        }
        data.setLength(0);
        hasData = false;
        name = "";
    }
}
