package dev.chatstream.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.UserId;
import java.util.List;

/**
 * Reads the AI SDK's chat request ({@code DefaultChatTransport}'s body: {@code id}, {@code messages} of UIMessages with
 * their {@code parts}, {@code trigger}, {@code messageId}, and any fields the app adds) into a {@link ChatRequest}. As
 * with the other doors the client holds the conversation: the last message must be the user's, earlier user and
 * assistant messages are the history (their {@code text} parts joined; an assistant's {@code data-action} parts go
 * back as the ACTION lines the model wrote; reasoning, step and tool parts are left out), {@code system} messages are
 * the client's instructions after the base prompt (or refused). The app may add {@code model} and
 * {@code include_thinking} (default true: the SDK shows reasoning as its own part). Every refusal is a 400 naming the
 * field as the client sent it.
 */
final class UiChatRequests {
    private UiChatRequests() {
    }

    /**
     * @param chatId       the chat's id, which names its stream for a resume
     * @param request      the turn, before the use case's own validation
     * @param historyIndex for each history item, the index of the message it came from
     */
    record Read(String chatId, ChatRequest request, List<Integer> historyIndex) {
        String inClientTerms(dev.chatstream.core.InvalidRequestException e) {
            return OpenAiRequests.inClientTerms(historyIndex, e);
        }
    }

    /** What a chat id may be: it goes into a URL path ({@code /api/ui/chat/{id}/stream}). */
    static final String CHAT_ID = "[A-Za-z0-9_.:-]{1,200}";

    static Read read(byte[] body, UserId user, boolean clientSystem) {
        JsonNode root = JsonBodies.tree(body, "{\"id\": \"...\", \"messages\": [...], \"trigger\": \"submit-message\"}");
        if (!root.isObject()) {
            throw invalid("The body must be a JSON object: the AI SDK's {\"id\", \"messages\", \"trigger\"}");
        }
        JsonNode id = root.get("id");
        if (id == null || !id.isTextual() || !id.textValue().matches(CHAT_ID) || id.textValue().matches("\\.+")) {
            throw invalid("id is required: the chat's id, 1 to 200 letters, digits or _ . : - (useChat sends it)");
        }
        JsonNode trigger = root.get("trigger");
        if (trigger != null && !trigger.isNull() && !(trigger.isTextual()
                && (trigger.textValue().equals("submit-message") || trigger.textValue().equals("regenerate-message")))) {
            throw invalid("trigger must be \"submit-message\" or \"regenerate-message\"");
        }
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw invalid("messages is required: the chat's UIMessages, ending with the user's");
        }
        String model = "";
        JsonNode modelNode = root.get("model");
        if (modelNode != null && !modelNode.isNull()) {
            if (!modelNode.isTextual()) {
                throw invalid("model must be a string, a model name such as \"llama3.2\"");
            }
            model = modelNode.textValue();
        }
        boolean thinking = JsonBodies.bool(root, "include_thinking", "include_thinking", true);
        ClientMessages sorted = new ClientMessages(clientSystem);
        int last = messages.size() - 1;
        for (int i = 0; i <= last; i++) {
            JsonNode item = messages.get(i);
            String at = "messages[" + i + "]";
            String role = ClientMessages.role(item, at, "\"system\", \"user\" or \"assistant\"");
            if (i == last && !role.equals("user")) {
                throw ClientMessages.lastMustBe("the user's (role \"user\")", role, at);
            }
            String text = text(item, at);
            switch (role) {
                case "system" -> sorted.system(at, text);
                case "user" -> sorted.user(i, text, i == last);
                case "assistant" -> sorted.assistant(i, text + actionLines(item));
                default -> throw invalid(at + ".role must be \"system\", \"user\" or \"assistant\", got \""
                        + ClientMessages.clip(role) + "\"");
            }
        }
        return new Read(id.textValue(), sorted.request(user, ChatOptions.defaults().withModel(model)
                .withIncludeThinking(thinking)), sorted.historyIndex());
    }

    /** A UIMessage's text parts, joined; a file part is refused, other parts are not text. */
    private static String text(JsonNode item, String at) {
        JsonNode parts = item.get("parts");
        if (parts == null || !parts.isArray()) {
            JsonNode content = item.get("content"); // an older SDK's message
            if (content != null && content.isTextual()) {
                return content.textValue();
            }
            throw invalid(at + ".parts is required: a list such as [{\"type\": \"text\", \"text\": \"...\"}]");
        }
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < parts.size(); j++) {
            JsonNode part = parts.get(j);
            String type = part.path("type").asText("");
            if (type.equals("text")) {
                JsonNode t = part.get("text");
                if (t == null || !t.isTextual()) {
                    throw invalid(at + ".parts[" + j + "].text must be a string");
                }
                text.append(t.textValue());
            } else if (type.equals("file")) {
                throw invalid(at + ".parts[" + j + "] is a file: only text is supported");
            }
        }
        return text.toString();
    }

    private static String actionLines(JsonNode item) {
        StringBuilder lines = new StringBuilder();
        for (JsonNode part : item.path("parts")) {
            JsonNode data = part.path("data");
            if (part.path("type").asText("").equals("data-action") && data.path("args").isObject()
                    && OpenAiRequests.ACTION_TOOL.equals(data.path("tool").asText())) {
                lines.append(ClientMessages.actionLine(data.get("args")));
            }
        }
        return lines.toString();
    }

    static ApiException invalid(String message) {
        return JsonBodies.invalid(message);
    }
}
