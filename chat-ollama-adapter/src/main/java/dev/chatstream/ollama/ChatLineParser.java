package dev.chatstream.ollama;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chatstream.core.Action;
import dev.chatstream.core.Usage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses one line of Ollama's chat stream with Jackson's streaming parser, reading only the fields chatstream
 * uses and skipping the rest (Ollama adds fields over time). Thread-safe.
 */
final class ChatLineParser {
    private final ObjectMapper mapper;

    ChatLineParser(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** @throws IOException when the line is not a JSON object */
    ChatLine parse(byte[] bytes, int length) throws IOException {
        String content = "";
        String thinking = "";
        List<Action> toolCalls = List.of();
        boolean done = false;
        String error = null;
        String doneReason = "";
        long promptTokens = 0;
        long evalTokens = 0;
        long total = 0;
        long load = 0;
        long promptEval = 0;
        long eval = 0;
        try (JsonParser p = mapper.getFactory().createParser(bytes, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the line is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "message" -> {
                        if (value != JsonToken.START_OBJECT) {
                            p.skipChildren();
                            continue;
                        }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String m = p.currentName();
                            JsonToken v = p.nextToken();
                            switch (m) {
                                case "content" -> content = text(p, v);
                                case "thinking" -> thinking = text(p, v);
                                case "tool_calls" -> toolCalls = toolCalls(p, v);
                                default -> p.skipChildren();
                            }
                        }
                    }
                    case "done" -> done = value == JsonToken.VALUE_TRUE;
                    case "done_reason" -> doneReason = text(p, value);
                    case "error" -> error = value == JsonToken.VALUE_STRING ? p.getText() : String.valueOf(p.readValueAsTree());
                    case "prompt_eval_count" -> promptTokens = number(p, value);
                    case "eval_count" -> evalTokens = number(p, value);
                    case "total_duration" -> total = number(p, value);
                    case "load_duration" -> load = number(p, value);
                    case "prompt_eval_duration" -> promptEval = number(p, value);
                    case "eval_duration" -> eval = number(p, value);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new IOException("the line is not a JSON object");
            }
        }
        Usage usage = done
                ? new Usage(promptTokens, evalTokens, Duration.ofNanos(total), Duration.ofNanos(load),
                        Duration.ofNanos(promptEval), Duration.ofNanos(eval), doneReason)
                : Usage.unknown();
        return new ChatLine(content, thinking, toolCalls, done, usage, java.util.Optional.ofNullable(error));
    }

    private static String text(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return "";
    }

    private static long number(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NUMBER_INT) {
            return Math.max(0, p.getLongValue());
        }
        p.skipChildren();
        return 0;
    }

    private List<Action> toolCalls(JsonParser p, JsonToken token) throws IOException {
        if (token != JsonToken.START_ARRAY) {
            p.skipChildren();
            return List.of();
        }
        List<Action> calls = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Map<?, ?> call = p.readValueAs(Map.class);
            if (call.get("function") instanceof Map<?, ?> function && function.get("name") instanceof String name
                    && !name.isBlank()) {
                Object args = function.get("arguments");
                calls.add(Action.fromJson(name, args instanceof Map<?, ?> m ? m : Map.of()));
            }
        }
        return calls;
    }
}
