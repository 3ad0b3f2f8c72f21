package dev.chatstream.core;

import java.util.List;

/**
 * Estimates how many tokens a message takes: characters divided by a characters-per-token ratio, plus four for
 * the message's framing. The ratio starts at four (English prose) and learns from what the backend counted
 * ({@link Usage#promptTokens()} of a turn against the characters sent), but only downwards: text that packs
 * fewer characters into a token (Portuguese, code, emoji) raises the estimates, while a count below the estimate
 * (Ollama counts only the prompt tokens it had to evaluate, not those its cache reused) never lowers them. So the
 * estimate errs on the side of a prompt that fits. Thread-safe.
 */
final class TokenEstimate {
    static final double START = 4.0;
    /** Never assume denser text than this (one token per character and a half). */
    static final double FLOOR = 1.5;

    private volatile double charsPerToken = START;

    /** The estimated tokens of {@code message}. */
    int tokens(ChatMessage message) {
        return (int) Math.ceil(message.content().length() / charsPerToken) + 4;
    }

    /** Learns from a turn: {@code counted} prompt tokens for {@code messages} as sent. */
    void observe(List<ChatMessage> messages, long counted) {
        if (counted <= 0) {
            return;
        }
        long chars = 0;
        for (ChatMessage m : messages) {
            chars += m.content().length();
        }
        long framing = 4L * messages.size();
        if (counted <= framing) {
            return;
        }
        double observed = chars / (double) (counted - framing);
        synchronized (this) {
            if (observed < charsPerToken) {
                charsPerToken = Math.max(FLOOR, observed);
            }
        }
    }

    /** The characters per token now. */
    double charsPerToken() {
        return charsPerToken;
    }
}
