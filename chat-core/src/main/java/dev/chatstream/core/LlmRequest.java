package dev.chatstream.core;

import java.util.List;

/**
 * What an {@link LlmStream} is asked to complete.
 *
 * @param messages the assembled prompt, system part first, the new user message last; never empty
 * @param options  the request's options (model override, thinking)
 */
public record LlmRequest(List<ChatMessage> messages, ChatOptions options) {
    public LlmRequest {
        Checks.notNull(messages, "messages");
        Checks.notNull(options, "options");
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
    }
}
