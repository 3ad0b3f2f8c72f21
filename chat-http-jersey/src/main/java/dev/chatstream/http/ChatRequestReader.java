package dev.chatstream.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.core.ChatMessage;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.Role;
import dev.chatstream.core.UserId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads the chat request body ({@code {"message", "history", "conversation_id", "replace_from",
 * "include_thinking", "resumable", "phases", "speech"}}) into a {@link ChatRequest} and whether its turn is resumable. Every refusal is a 400 naming the field in our own words; Jackson's messages never
 * reach the client. Unknown fields are ignored, so newer clients keep working.
 */
final class ChatRequestReader {

    private static final String BAD_CONVERSATION_ID = "conversation_id must be a positive whole number";

    private ChatRequestReader() {
    }

    /**
     * A chat request as the body asks for it.
     *
     * @param request   the request, before the use case's own validation
     * @param resumable whether its turn keeps going without a reader ({@code "resumable": true})
     * @param optIns    the events the client opted into ({@code "phases": true}, {@code "speech": true})
     */
    record Read(ChatRequest request, boolean resumable, OptIns optIns) {
        Read(ChatRequest request, boolean resumable) {
            this(request, resumable, OptIns.NONE);
        }
    }

    /** The body as a request, before the use case's own validation. */
    static Read read(byte[] body, UserId user) {
        JsonNode root = JsonBodies.tree(body, "{\"message\": \"...\"}");
        if (!root.isObject()) {
            throw invalid("The body must be a JSON object such as {\"message\": \"...\"}");
        }
        JsonNode message = root.get("message");
        if (message == null || message.isNull()) {
            throw invalid("message is required");
        }
        if (!message.isTextual()) {
            throw invalid("message must be a string");
        }
        List<ChatMessage> history = history(root.get("history"));
        ChatOptions options = ChatOptions.defaults().withIncludeThinking(JsonBodies.bool(root, "include_thinking"));
        boolean resumable = JsonBodies.bool(root, "resumable");
        OptIns phases = new OptIns(JsonBodies.bool(root, "phases"), JsonBodies.bool(root, "speech"));
        ChatRequest request = ChatRequest.of(user, message.textValue()).withHistory(history).withOptions(options);
        JsonNode replace = root.get("replace_from");
        if (replace != null && !replace.isNull()) {
            if (!positive(replace)) {
                throw invalid("replace_from must be the id of one of the conversation's user messages, a positive "
                        + "whole number");
            }
            request = request.withReplaceFrom(replace.longValue());
        }
        JsonNode conversation = root.get("conversation_id");
        if (conversation == null || conversation.isNull()) {
            return new Read(request, resumable, phases);
        }
        if (!positive(conversation)) {
            throw invalid(BAD_CONVERSATION_ID);
        }
        return new Read(request.withConversationId(conversation.longValue()), resumable, phases);
    }

    private static boolean positive(JsonNode node) {
        return node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 1;
    }

    /** {@code request} continuing the conversation named by the query parameter {@code value}, when there is one. */
    static ChatRequest withConversationParam(ChatRequest request, java.util.Optional<String> param) {
        if (param.isEmpty()) {
            return request;
        }
        String value = param.get();
        if (!value.matches("[1-9][0-9]{0,17}")) {
            throw invalid(BAD_CONVERSATION_ID);
        }
        return request.withConversationId(Long.parseLong(value));
    }

    private static List<ChatMessage> history(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw invalid("history must be a list of {\"role\", \"content\"} objects");
        }
        List<ChatMessage> out = new ArrayList<>(node.size());
        Iterator<JsonNode> items = node.elements();
        for (int i = 0; items.hasNext(); i++) {
            JsonNode item = items.next();
            String at = "history[" + i + "]";
            if (!item.isObject()) {
                throw invalid(at + " must be an object with role and content");
            }
            JsonNode role = item.get("role");
            JsonNode content = item.get("content");
            if (role == null || !role.isTextual()) {
                throw invalid(at + ".role must be \"user\" or \"assistant\"");
            }
            if (content == null || !content.isTextual()) {
                throw invalid(at + ".content must be a string");
            }
            Role parsed = Role.fromWireName(role.textValue()).orElseThrow(() -> invalid(
                    at + ".role must be \"user\" or \"assistant\", got \"" + clip(role.textValue()) + "\""));
            out.add(new ChatMessage(parsed, content.textValue()));
        }
        return out;
    }

    static ApiException invalid(String message) {
        return JsonBodies.invalid(message);
    }

    private static String clip(String s) {
        return s.length() <= 20 ? s : s.substring(0, 20) + "…";
    }
}
