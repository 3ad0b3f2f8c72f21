package dev.chatstream.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.InvalidRequestException;
import dev.chatstream.core.UserId;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an OpenAI chat completions body ({@code POST /v1/chat/completions}, as the {@code openai} SDKs, Open WebUI and
 * Continue send it) into a {@link ChatRequest}: the last message is the new one and must be the user's; earlier
 * {@code user} and {@code assistant} messages are the history (the client holds the conversation); {@code system} and
 * {@code developer} messages are the client's instructions, added after chatstream's base prompt, or refused
 * ({@code client.system = refuse}). Content is a string or a list of text parts. An assistant's earlier
 * {@code homeassistant_call_service} tool call goes back into its history as the ACTION line the model wrote;
 * {@code tool} messages are left out (chatstream, not the client, runs actions). Sampling fields ({@code temperature},
 * {@code max_tokens}...) and client {@code tools} are ignored (docs/compatibility.md). Every refusal is a 400 naming
 * the field as the client sent it.
 */
final class OpenAiRequests {
    /** The function name of the tool call an ACTION line becomes. */
    static final String ACTION_TOOL = "homeassistant_call_service";

    private OpenAiRequests() {
    }

    /**
     * A chat completions request as chatstream runs it.
     *
     * @param request      the turn, before the use case's own validation
     * @param stream       {@code "stream": true}: chunks as they come; false: one answer at the end
     * @param includeUsage {@code stream_options.include_usage}: a last chunk with the usage
     * @param model        the model the client named ({@code ""}: the configured one)
     * @param historyIndex for each history item, the index of the message it came from, so errors name it
     */
    record Read(ChatRequest request, boolean stream, boolean includeUsage, String model, List<Integer> historyIndex) {
        /** The use case's message for a bad field, with the field named as the client sent it ({@code messages[3]}). */
        String inClientTerms(InvalidRequestException e) {
            return OpenAiRequests.inClientTerms(historyIndex, e);
        }
    }

    /**
     * The use case's message for a bad field, with the field named as a client of a messages-list protocol sent it:
     * {@code history[i]} as {@code messages[historyIndex[i]]}, {@code message} as the last message.
     */
    static String inClientTerms(List<Integer> historyIndex, InvalidRequestException e) {
        String text = e.getMessage();
        Matcher m = HISTORY.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int i = Integer.parseInt(m.group(1));
            String named = i < historyIndex.size() ? "messages[" + historyIndex.get(i) + "]" : m.group();
            m.appendReplacement(out, Matcher.quoteReplacement(named));
        }
        m.appendTail(out);
        String said = out.toString();
        if (said.startsWith("message ")) {
            said = "the last message's content " + said.substring("message ".length());
        } else if (said.startsWith("history ")) {
            said = "messages " + said.substring("history ".length());
        }
        return said;
    }

    private static final Pattern HISTORY = Pattern.compile("history\\[(\\d+)]");

    /** The body as a request; {@code clientSystem}: whether system messages are accepted. */
    static Read read(byte[] body, UserId user, boolean clientSystem) {
        JsonNode root = JsonBodies.tree(body, "{\"model\": \"...\", \"messages\": [{\"role\": \"user\", \"content\": "
                + "\"...\"}]}");
        if (!root.isObject()) {
            throw invalid("The body must be a JSON object such as {\"model\": \"llama3.2\", \"messages\": [{\"role\": "
                    + "\"user\", \"content\": \"Hello\"}]}");
        }
        String model = text(root, "model");
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw invalid("messages is required: a list of {\"role\", \"content\"} objects ending with the user's");
        }
        JsonNode n = root.get("n");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.intValue() == 1)) {
            throw invalid("n must be 1: chatstream answers with one choice");
        }
        boolean stream = JsonBodies.bool(root, "stream");
        boolean includeUsage = false;
        JsonNode streamOptions = root.get("stream_options");
        if (streamOptions != null && !streamOptions.isNull()) {
            if (!streamOptions.isObject()) {
                throw invalid("stream_options must be an object such as {\"include_usage\": true}");
            }
            includeUsage = JsonBodies.bool(streamOptions, "include_usage", "stream_options.include_usage", false);
        }
        boolean thinking = JsonBodies.bool(root, "include_thinking") || JsonBodies.bool(root, "include_reasoning");

        ClientMessages sorted = new ClientMessages(clientSystem);
        int last = messages.size() - 1;
        for (int i = 0; i <= last; i++) {
            JsonNode item = messages.get(i);
            String at = "messages[" + i + "]";
            String role = ClientMessages.role(item, at, ROLES);
            if (i == last && !role.equals("user")) {
                throw ClientMessages.lastMustBe("the user's (role \"user\")", role, at);
            }
            switch (role) {
                case "system", "developer" -> sorted.system(at, content(item, at, false));
                case "user" -> sorted.user(i, content(item, at, false), i == last);
                case "assistant" -> sorted.assistant(i, content(item, at, true) + actionLines(item, at));
                case "tool", "function" -> {
                    // a tool's result for the client's own tools: chatstream runs its actions itself
                }
                default -> throw invalid(at + ".role must be " + ROLES + ", got \"" + ClientMessages.clip(role) + "\"");
            }
        }
        ChatRequest request = sorted.request(user, ChatOptions.defaults().withModel(model)
                .withIncludeThinking(thinking));
        return new Read(request, stream, includeUsage, model.strip(), sorted.historyIndex());
    }

    /** A message's text: a string, or a list of {@code {"type": "text", "text"}} parts joined. */
    private static String content(JsonNode item, String at, boolean mayBeAbsent) {
        JsonNode content = ClientMessages.content(item, at, mayBeAbsent);
        if (content == null) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!content.isArray()) {
            throw invalid(at + ".content must be a string or a list of {\"type\": \"text\", \"text\"} parts");
        }
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String partAt = at + ".content[" + j + "]";
            JsonNode type = part.get("type");
            if (!part.isObject() || type == null || !type.isTextual()) {
                throw invalid(partAt + " must be an object such as {\"type\": \"text\", \"text\": \"...\"}");
            }
            if (!type.textValue().equals("text")) {
                throw invalid(partAt + " is of type \"" + ClientMessages.clip(type.textValue()) + "\": only text parts are "
                        + "supported");
            }
            JsonNode t = part.get("text");
            if (t == null || !t.isTextual()) {
                throw invalid(partAt + ".text must be a string");
            }
            text.append(t.textValue());
        }
        return text.toString();
    }

    /** An assistant's earlier action tool calls, as the ACTION lines the model wrote for them. */
    private static String actionLines(JsonNode item, String at) {
        JsonNode calls = item.get("tool_calls");
        if (calls == null || !calls.isArray()) {
            return "";
        }
        StringBuilder lines = new StringBuilder();
        for (JsonNode call : calls) {
            JsonNode function = call.path("function");
            if (!ACTION_TOOL.equals(function.path("name").asText())) {
                continue; // the client's own tool
            }
            JsonNode arguments = function.path("arguments");
            JsonNode args;
            try {
                args = arguments.isTextual() ? JsonBodies.tree(arguments.textValue().getBytes(
                        java.nio.charset.StandardCharsets.UTF_8), "{}") : arguments;
            } catch (ApiException e) {
                continue; // not JSON: it never was one of ours
            }
            if (!args.isObject()) {
                continue;
            }
            lines.append(ClientMessages.actionLine(args));
        }
        return lines.toString();
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return "";
        }
        if (!node.isTextual()) {
            throw invalid(field + " must be a string, a model name such as \"llama3.2\" (GET /v1/models lists them)");
        }
        return node.textValue();
    }

    private static final String ROLES = "\"system\", \"user\", \"assistant\" or \"tool\"";

    static ApiException invalid(String message) {
        return JsonBodies.invalid(message);
    }
}
