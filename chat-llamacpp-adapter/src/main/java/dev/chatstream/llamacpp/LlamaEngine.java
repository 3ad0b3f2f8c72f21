package dev.chatstream.llamacpp;

import dev.chatstream.core.ChatMessage;
import java.util.List;

/**
 * The seam between {@link LlamaCppLlmStream} and llama.cpp: the real one is {@link JllamaEngine}; tests of the
 * port contract use a scripted one. All methods but {@link #close} may be called from several threads.
 */
interface LlamaEngine extends AutoCloseable {

    /** The prompt for these messages, in the model's own chat template. */
    String prompt(List<ChatMessage> messages);

    /** How many tokens {@code text} is in the model's vocabulary. */
    int tokenCount(String text);

    /** Starts a reply to {@code prompt}. */
    Generation generate(String prompt, int maxTokens, float temperature);

    @Override
    void close();

    /** One reply being generated: one thread calls {@link #next}; {@link #stop} may come from any thread. */
    interface Generation {
        /** The next piece of text, blocking until it is generated; null when the reply is over or stopped. */
        String next();

        /**
         * Asks generation to stop. The thread in {@link #next} returns null after at most one more token (llama.cpp's
         * cancel does not wake a thread waiting for a piece, so the generating thread cancels itself).
         */
        void stop();

        /** Tokens the model produced so far; the final output that ends a generation is not one. */
        int tokens();
    }
}
