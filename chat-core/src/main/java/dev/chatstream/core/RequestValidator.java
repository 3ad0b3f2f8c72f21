package dev.chatstream.core;

import java.util.List;

/** Checks a request against {@link ChatSettings}; each message names the field and the limit. */
final class RequestValidator {
    private final ChatSettings settings;

    RequestValidator(ChatSettings settings) {
        this.settings = settings;
    }

    void validate(ChatRequest request) {
        String message = request.message();
        if (message.isBlank()) {
            throw new InvalidRequestException("message", "message must not be blank");
        }
        if (message.length() > settings.maxMessageChars()) {
            throw new InvalidRequestException("message", "message is too long: " + message.length()
                    + " characters, the limit is " + settings.maxMessageChars());
        }
        if (request.replaceFrom().isPresent() && request.conversationId().isEmpty()) {
            throw new InvalidRequestException("replace_from", "replace_from needs conversation_id: it names a message "
                    + "of a stored conversation (the id GET /api/conversations/{id} gives each message)");
        }
        String instructions = request.options().instructions();
        if (instructions.length() > settings.maxHistoryItemChars()) {
            throw new InvalidRequestException("instructions", "the client's system text is too long: "
                    + instructions.length() + " characters, the limit is " + settings.maxHistoryItemChars());
        }
        List<ChatMessage> history = request.history();
        if (history.size() > settings.maxHistoryItems()) {
            throw new InvalidRequestException("history", "history has " + history.size()
                    + " messages, the limit is " + settings.maxHistoryItems());
        }
        long total = 0;
        for (int i = 0; i < history.size(); i++) {
            ChatMessage m = history.get(i);
            if (m.role() != Role.USER && m.role() != Role.ASSISTANT) {
                throw new InvalidRequestException("history[" + i + "].role", "history[" + i
                        + "].role must be \"user\" or \"assistant\", got \"" + m.role().wireName() + "\"");
            }
            int length = m.content().length();
            if (length > settings.maxHistoryItemChars()) {
                throw new InvalidRequestException("history[" + i + "].content", "history[" + i
                        + "].content is too long: " + length + " characters, the limit is "
                        + settings.maxHistoryItemChars());
            }
            total += length;
        }
        if (total > settings.maxHistoryTotalChars()) {
            throw new InvalidRequestException("history", "history is too long: " + total
                    + " characters in all, the limit is " + settings.maxHistoryTotalChars());
        }
    }
}
