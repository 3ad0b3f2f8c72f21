package dev.chatstream.core;

import java.util.Locale;

/** How a stored reply ended. The lower-case names are part of the API's JSON: never rename one. */
public enum MessageStatus {
    /** The reply finished. */
    COMPLETE,
    /** The reply was stopped (the client left or pressed Stop, a timeout, a shutdown); it holds what was shown. */
    CANCELLED,
    /** The reply broke off with an error; it holds what was shown. */
    FAILED,
    /**
     * The model stopped because it reached a length limit (Ollama's {@code done_reason} {@code "length"}: its
     * {@code num_predict} or its context ran out), not because it was done: the reply is cut short.
     */
    TRUNCATED;

    /** The JSON name, e.g. {@code "cancelled"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status named {@code wireName}, as stored. */
    public static MessageStatus fromWireName(String wireName) {
        return valueOf(wireName.toUpperCase(Locale.ROOT));
    }
}
