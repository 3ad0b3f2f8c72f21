package dev.chatstream.core;

/**
 * Where a chat stream sends its events: an SSE connection, a terminal, a test recorder.
 * Called from one thread at a time.
 */
@FunctionalInterface
public interface EventSink {
    /**
     * Delivers one event.
     *
     * @return {@code true} while the consumer is still there; {@code false} once it has gone (the
     *         connection closed), which stops the stream and its upstream call
     */
    boolean send(ChatEvent event);
}
