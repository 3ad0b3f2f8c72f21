package dev.chatstream.ollama;

import dev.chatstream.core.Action;
import dev.chatstream.core.Usage;
import java.util.List;

/**
 * One parsed NDJSON line of {@code /api/chat}: its deltas, whether it is the last one (with usage), or an
 * error that arrived under status 200.
 */
record ChatLine(String content, String thinking, List<Action> toolCalls, boolean done, Usage usage,
        java.util.Optional<String> error) {
}
