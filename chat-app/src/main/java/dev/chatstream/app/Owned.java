package dev.chatstream.app;

/**
 * The name of the set of {@link AutoCloseable}s the composition owns (an in-process model, the store): a module
 * that opens something adds it there, and {@link Server#close} closes each once the HTTP server has stopped.
 */
final class Owned {
    static final String NAME = "owned";

    private Owned() {
    }
}
