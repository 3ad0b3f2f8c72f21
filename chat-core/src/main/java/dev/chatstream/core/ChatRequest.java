package dev.chatstream.core;

import java.util.List;
import java.util.OptionalLong;

/**
 * One chat turn as a client asked for it. The record checks only its shape (no nulls); limits and
 * roles are checked by {@link ChatStreamer#validate(ChatRequest)}, which names the bad field.
 *
 * @param user           who asks; all context and memories are this user's
 * @param message        the new user message
 * @param history        earlier messages sent by the client, oldest first (may be empty)
 * @param conversationId the stored conversation this turn continues, when the client named one
 * @param options        per-request choices
 * @param replaceFrom    the id of a stored user message of that conversation that this turn replaces, with every
 *                       message after it (regenerate a reply: the same message again; edit and resend: another one);
 *                       the history then ends before it
 */
public record ChatRequest(UserId user, String message, List<ChatMessage> history,
                          OptionalLong conversationId, ChatOptions options, OptionalLong replaceFrom) {
    public ChatRequest {
        Checks.notNull(user, "user");
        Checks.notNull(message, "message");
        Checks.notNull(history, "history");
        Checks.notNull(conversationId, "conversationId");
        Checks.notNull(options, "options");
        Checks.notNull(replaceFrom, "replaceFrom");
        history = List.copyOf(history);
    }

    /** A request that replaces nothing. */
    public ChatRequest(UserId user, String message, List<ChatMessage> history, OptionalLong conversationId,
                       ChatOptions options) {
        this(user, message, history, conversationId, options, OptionalLong.empty());
    }

    /** A request with no history, no conversation and default options. */
    public static ChatRequest of(UserId user, String message) {
        return new ChatRequest(user, message, List.of(), OptionalLong.empty(), ChatOptions.defaults());
    }

    /** A copy with the given client-side history. */
    public ChatRequest withHistory(List<ChatMessage> newHistory) {
        return new ChatRequest(user, message, newHistory, conversationId, options, replaceFrom);
    }

    /** A copy that continues the given stored conversation. */
    public ChatRequest withConversationId(long id) {
        return new ChatRequest(user, message, history, OptionalLong.of(id), options, replaceFrom);
    }

    /** A copy with other options. */
    public ChatRequest withOptions(ChatOptions newOptions) {
        return new ChatRequest(user, message, history, conversationId, newOptions, replaceFrom);
    }

    /** A copy that replaces the stored message {@code messageId} and every message after it. */
    public ChatRequest withReplaceFrom(long messageId) {
        return new ChatRequest(user, message, history, conversationId, options, OptionalLong.of(messageId));
    }
}
