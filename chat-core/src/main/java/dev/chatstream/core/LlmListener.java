package dev.chatstream.core;

/** Receives the deltas of one completion, one at a time, in order. */
@FunctionalInterface
public interface LlmListener {
    /** Called for each delta; must not block for long, since it holds up the stream. */
    void onDelta(LlmDelta delta);

    /**
     * Called once, before any delta, when the request must wait for a free backend ({@link BackendPool}): every
     * backend is answering as many replies as it may. {@code position} is the request's place in line (1: next).
     * The default does nothing.
     */
    default void onQueued(int position) {
    }

    /**
     * Called at most once, before any delta, when the backend that will answer must load the model first (a cold
     * start of tens of seconds), as far as it can tell cheaply (Ollama's {@code /api/ps}). The default does nothing.
     */
    default void onLoadingModel() {
    }
}
