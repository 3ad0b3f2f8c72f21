package dev.chatstream.core;

/** Receives the deltas of one completion, one at a time, in order. */
@FunctionalInterface
public interface LlmListener {
    /** Called for each delta; must not block for long, since it holds up the stream. */
    void onDelta(LlmDelta delta);
}
