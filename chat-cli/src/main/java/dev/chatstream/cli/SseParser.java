package dev.chatstream.cli;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An incremental Server-Sent Events parser (the WHATWG rules): bytes go in as they arrive, split anywhere,
 * and complete events come out. Lines end with {@code \n}, {@code \r\n} or a lone {@code \r}; a line is
 * decoded as UTF-8 only once it is whole, so a character split across reads arrives intact; comments
 * ({@code :}) are skipped; several {@code data:} lines join with {@code \n}. Not thread-safe.
 */
final class SseParser {
    /** Receives each complete event; {@code name} is {@code "message"} when the event had no {@code event:} line. */
    interface Listener {
        void event(String name, String data);
    }

    private final Listener listener;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final StringBuilder data = new StringBuilder();
    private String name = "";
    private boolean hasData;
    private boolean afterCr;

    SseParser(Listener listener) {
        this.listener = listener;
    }

    void feed(ByteBuffer bytes) {
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
            default -> {
                // id and retry mean nothing to this client; unknown fields are ignored by the rules
            }
        }
    }

    private void dispatch() {
        if (hasData) {
            listener.event(name.isEmpty() ? "message" : name, data.toString());
        }
        data.setLength(0);
        hasData = false;
        name = "";
    }
}
