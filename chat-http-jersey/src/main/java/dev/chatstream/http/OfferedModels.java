package dev.chatstream.http;

import dev.chatstream.core.LlmStream;
import java.util.List;

/** What the front doors say of the backend's models: the list they offer and the name a reply answers with. */
final class OfferedModels {
    private OfferedModels() {
    }

    /** The models the backend offers, else the configured one when it cannot tell; may do I/O. */
    static List<String> of(LlmStream llm) {
        List<String> names = llm.models();
        return names.isEmpty() ? llm.configuredModel().map(List::of).orElse(List.of()) : names;
    }

    /** The model named in a reply: the one the client asked for, else the configured one. */
    static String answering(LlmStream llm, String asked) {
        return asked.isEmpty() ? llm.configuredModel().orElse("chatstream") : asked;
    }
}
