package dev.chatstream.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.core.ChatMessage;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.UserId;
import java.util.ArrayList;
import java.util.List;

/**
 * The conversation a front door's client sent as a list of messages (OpenAI's, Ollama's, the AI SDK's), sorted as
 * chatstream takes it: {@code system} text is the client's instructions, added after the base prompt (or refused with
 * {@code client.system = refuse}); the last user message is the new one; earlier user and assistant messages are the
 * history, each remembered with the index it had in the client's list so refusals name it as the client sent it. Not
 * thread-safe: one per request.
 */
final class ClientMessages {
    private final boolean clientSystem;
    private final List<String> instructions = new ArrayList<>();
    private final List<ChatMessage> history = new ArrayList<>();
    private final List<Integer> historyIndex = new ArrayList<>();
    private String message;

    /** @param clientSystem whether the server accepts a client's system messages ({@code client.system}) */
    ClientMessages(boolean clientSystem) {
        this.clientSystem = clientSystem;
    }

    /** A system message at {@code at} ({@code messages[0]}). */
    void system(String at, String text) {
        if (!clientSystem) {
            throw JsonBodies.invalid(at + ": this server does not accept system messages from clients "
                    + "(client.system = refuse); its own base prompt applies. Leave them out");
        }
        if (!text.isBlank()) {
            instructions.add(text.strip());
        }
    }

    /** A user message, the new one when it is the last. */
    void user(int index, String text, boolean last) {
        if (last) {
            message = text;
        } else {
            history(index, ChatMessage.user(text));
        }
    }

    /** An assistant message (nothing when it has no text). */
    void assistant(int index, String text) {
        if (!text.isBlank()) {
            history(index, ChatMessage.assistant(text.strip()));
        }
    }

    /** Any other message that goes into the history as it is. */
    void history(int index, ChatMessage m) {
        history.add(m);
        historyIndex.add(index);
    }

    /** The new message, when the list does not end with the user's (Ollama's tool results). */
    void message(String text) {
        if (message == null) {
            message = text;
        }
    }

    /** The turn: the new message, the history, and {@code options} with the client's instructions. */
    ChatRequest request(UserId user, ChatOptions options) {
        return ChatRequest.of(user, message).withHistory(history)
                .withOptions(options.withInstructions(String.join("\n\n", instructions)));
    }

    List<Integer> historyIndex() {
        return List.copyOf(historyIndex);
    }

    /** An earlier call of chatstream's action, as the ACTION line the model wrote for it. */
    static String actionLine(JsonNode args) {
        return "\nACTION: {\"tool\": \"" + OpenAiRequests.ACTION_TOOL + "\", \"args\": " + args + "}";
    }

    /**
     * The role of the message {@code item} at {@code at}: refused (400) when it is not an object with a string role.
     *
     * @param roles the roles the door takes, for the refusal ({@code "user" or "assistant"})
     */
    static String role(JsonNode item, String at, String roles) {
        if (!item.isObject()) {
            throw JsonBodies.invalid(at + " must be an object with role and content");
        }
        JsonNode role = item.get("role");
        if (role == null || !role.isTextual()) {
            throw JsonBodies.invalid(at + ".role must be " + roles);
        }
        return role.textValue();
    }

    /**
     * The message {@code item}'s {@code content}, null when it has none (missing or null) and {@code mayBeAbsent};
     * refused (400) when it has none and must have one.
     */
    static JsonNode content(JsonNode item, String at, boolean mayBeAbsent) {
        JsonNode content = item.get("content");
        if (content != null && !content.isNull()) {
            return content;
        }
        if (mayBeAbsent) {
            return null;
        }
        throw JsonBodies.invalid(at + ".content is required");
    }

    /** The refusal of a list that does not end as the door needs. */
    static ApiException lastMustBe(String what, String role, String at) {
        return JsonBodies.invalid("The last message must be " + what + ", got role \"" + clip(role) + "\" in " + at);
    }

    static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
