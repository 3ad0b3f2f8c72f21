package dev.chatstream.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chatstream.core.ChatMessage;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.UserId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an Ollama {@code POST /api/chat} body (as ollama-js, ollama-python and Home Assistant's Ollama integration send
 * it) into a {@link ChatRequest}. As with OpenAI's door: the client holds the conversation; {@code system} messages are
 * its instructions, after chatstream's base prompt (or refused, {@code client.system = refuse}); an assistant's
 * {@value OpenAiRequests#ACTION_TOOL} call goes back into the history as its ACTION line. The client's own tools (Home
 * Assistant's {@code HassTurnOn}...) make a loop chatstream's history has no roles for, so their calls and results are
 * kept as text: an assistant's call as {@code [called NAME with ARGS]}, a {@code tool} message as a user message
 * {@code [NAME returned: CONTENT]}, and trailing tool results are the new message. {@code keep_alive}, {@code options},
 * {@code think}, {@code format} and {@code tools} pass through to an Ollama backend ({@link ChatOptions#passthrough});
 * {@code think} also sends the reasoning back. {@code stream} defaults to true, as Ollama's does. Every refusal is a
 * 400 naming the field as the client sent it.
 */
final class OllamaRequests {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> PASSED_THROUGH = List.of("keep_alive", "options", "think", "format", "tools");

    private OllamaRequests() {
    }

    /**
     * A chat request as chatstream runs it.
     *
     * @param request      the turn, before the use case's own validation
     * @param stream       Ollama's {@code stream} (default true): NDJSON lines as they come; false: one object
     * @param model        the model the client named ({@code ""}: the configured one)
     * @param historyIndex for each history item, the index of the message it came from, so errors name it
     */
    record Read(ChatRequest request, boolean stream, String model, List<Integer> historyIndex) {
        /** The use case's message for a bad field, with the field named as the client sent it ({@code messages[3]}). */
        String inClientTerms(dev.chatstream.core.InvalidRequestException e) {
            return OpenAiRequests.inClientTerms(historyIndex, e);
        }
    }

    static Read read(byte[] body, UserId user, boolean clientSystem) {
        JsonNode root = JsonBodies.tree(body, "{\"model\": \"llama3.2\", \"messages\": [{\"role\": \"user\", "
                + "\"content\": \"...\"}]}");
        if (!root.isObject()) {
            throw invalid("The body must be a JSON object such as {\"model\": \"llama3.2\", \"messages\": [{\"role\": "
                    + "\"user\", \"content\": \"Hello\"}]}");
        }
        JsonNode modelNode = root.get("model");
        if (modelNode != null && !modelNode.isNull() && !modelNode.isTextual()) {
            throw invalid("model must be a string, a model name such as \"llama3.2\" (GET /api/tags lists them)");
        }
        String model = modelNode == null || modelNode.isNull() ? "" : modelNode.textValue().strip();
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw invalid("messages is required: a list of {\"role\", \"content\"} objects ending with the user's "
                    + "(or with tool results)");
        }
        boolean stream = JsonBodies.bool(root, "stream", "stream", true); // Ollama streams unless told not to
        Map<String, Object> passthrough = new LinkedHashMap<>();
        for (String field : PASSED_THROUGH) {
            JsonNode value = root.get(field);
            if (value != null && !value.isNull()) {
                passthrough.put(field, MAPPER.convertValue(value, Object.class));
            }
        }
        if (root.has("options") && !root.get("options").isNull() && !root.get("options").isObject()) {
            throw invalid("options must be an object such as {\"num_ctx\": 8192}");
        }
        if (root.has("tools") && !root.get("tools").isNull() && !root.get("tools").isArray()) {
            throw invalid("tools must be a list of {\"type\": \"function\", \"function\": {...}} objects");
        }
        JsonNode think = root.get("think");
        boolean thinking = think != null && (think.isBoolean() ? think.booleanValue()
                : think.isTextual() && !think.textValue().isBlank());

        ClientMessages sorted = new ClientMessages(clientSystem);
        int last = messages.size() - 1;
        int firstTrailingTool = last + 1;
        while (firstTrailingTool > 0 && "tool".equals(messages.get(firstTrailingTool - 1).path("role").asText())) {
            firstTrailingTool--;
        }
        StringBuilder toolResults = new StringBuilder();
        for (int i = 0; i <= last; i++) {
            JsonNode item = messages.get(i);
            String at = "messages[" + i + "]";
            String role = ClientMessages.role(item, at, ROLES);
            if (i == last && !role.equals("user") && !role.equals("tool")) {
                throw ClientMessages.lastMustBe("the user's (role \"user\") or a tool's result (role \"tool\")", role,
                        at);
            }
            if (item.has("images") && item.get("images").isArray() && !item.get("images").isEmpty()) {
                throw invalid(at + ".images: images are not supported; send text only");
            }
            switch (role) {
                case "system" -> sorted.system(at, content(item, at, false));
                case "user" -> sorted.user(i, content(item, at, false), i == last);
                case "assistant" -> sorted.assistant(i, content(item, at, true) + toolCalls(item));
                case "tool" -> {
                    String result = "[" + toolName(item) + " returned: " + content(item, at, true).strip() + "]";
                    if (i >= firstTrailingTool) {
                        toolResults.append(toolResults.isEmpty() ? "" : "\n").append(result);
                    } else {
                        sorted.history(i, ChatMessage.user(result));
                    }
                }
                default -> throw invalid(at + ".role must be " + ROLES + ", got \"" + ClientMessages.clip(role) + "\"");
            }
        }
        sorted.message(toolResults.toString());
        ChatRequest request = sorted.request(user, ChatOptions.defaults().withModel(model)
                .withIncludeThinking(thinking).withPassthrough(passthrough));
        return new Read(request, stream, model, sorted.historyIndex());
    }

    private static String content(JsonNode item, String at, boolean mayBeAbsent) {
        JsonNode content = ClientMessages.content(item, at, mayBeAbsent);
        if (content == null) {
            return "";
        }
        if (!content.isTextual()) {
            throw invalid(at + ".content must be a string");
        }
        return content.textValue();
    }

    /** An assistant's tool calls as text: ours as the ACTION line the model wrote, the client's as a note. */
    private static String toolCalls(JsonNode item) {
        JsonNode calls = item.get("tool_calls");
        if (calls == null || !calls.isArray()) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode call : calls) {
            JsonNode function = call.path("function");
            String name = function.path("name").asText("");
            JsonNode args = function.path("arguments");
            if (args.isTextual()) {
                try {
                    args = MAPPER.readTree(args.textValue());
                } catch (java.io.IOException e) {
                    continue;
                }
            }
            if (name.isEmpty() || !args.isObject()) {
                continue;
            }
            if (name.equals(OpenAiRequests.ACTION_TOOL)) {
                text.append(ClientMessages.actionLine(args));
            } else {
                text.append("\n[called ").append(ClientMessages.clip(name)).append(" with ").append(args).append(']');
            }
        }
        return text.toString();
    }

    private static String toolName(JsonNode item) {
        String name = item.path("tool_name").asText(item.path("name").asText(""));
        return name.isBlank() ? "the tool" : ClientMessages.clip(name);
    }

    private static final String ROLES = "\"system\", \"user\", \"assistant\" or \"tool\"";

    static ApiException invalid(String message) {
        return JsonBodies.invalid(message);
    }
}
