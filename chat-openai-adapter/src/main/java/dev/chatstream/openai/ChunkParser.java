package dev.chatstream.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses one {@code data:} payload of a chat-completions stream with Jackson's streaming parser, reading only the
 * fields chatstream uses and skipping the rest (servers add their own: llama-server's {@code timings}, vLLM's
 * {@code prompt_logprobs}...). Accepts the small differences between servers: {@code "choices": []} (OpenAI) or
 * {@code null} (vLLM) on the usage chunk, usage on the finishing chunk itself (llama-server), {@code content: null}
 * on the first chunk, {@code reasoning_content} (llama-server, vLLM, DeepSeek) or {@code reasoning} (Ollama's
 * {@code /v1}, newer vLLM), and an error in place of a chunk as {@code {"error": {"message": ...}}} (OpenAI, vLLM),
 * {@code {"error": "text"}} or {@code {"object": "error", "message": ...}} (older vLLM). Thread-safe.
 */
final class ChunkParser {
    private final ObjectMapper mapper;

    ChunkParser(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** @throws IOException when the payload is not a JSON object */
    Chunk parse(byte[] bytes, int offset, int length) throws IOException {
        String content = "";
        String reasoning = "";
        List<Chunk.ToolPiece> pieces = List.of();
        String finish = "";
        Optional<Chunk.Counts> usage = Optional.empty();
        long prompt = -1;
        long completion = -1;
        double promptMs = 0;
        double predictedMs = 0;
        String error = null;
        String object = "";
        String message = null;
        try (JsonParser p = mapper.getFactory().createParser(bytes, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the event's data is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "choices" -> {
                        if (value != JsonToken.START_ARRAY) {
                            p.skipChildren(); // null on vLLM's usage chunk
                            continue;
                        }
                        boolean first = true;
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            if (!first) {
                                p.skipChildren(); // only one choice is asked for
                                continue;
                            }
                            first = false;
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String c = p.currentName();
                                JsonToken v = p.nextToken();
                                switch (c) {
                                    case "delta" -> {
                                        if (v != JsonToken.START_OBJECT) {
                                            p.skipChildren();
                                            continue;
                                        }
                                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                                            String d = p.currentName();
                                            JsonToken dv = p.nextToken();
                                            switch (d) {
                                                case "content" -> content = text(p, dv);
                                                case "reasoning_content", "reasoning" -> {
                                                    String r = text(p, dv);
                                                    reasoning = reasoning.isEmpty() ? r : reasoning;
                                                }
                                                case "tool_calls" -> pieces = toolPieces(p, dv);
                                                default -> p.skipChildren();
                                            }
                                        }
                                    }
                                    case "finish_reason" -> finish = text(p, v);
                                    default -> p.skipChildren();
                                }
                            }
                        }
                    }
                    case "usage" -> {
                        if (value != JsonToken.START_OBJECT) {
                            p.skipChildren();
                            continue;
                        }
                        prompt = 0;
                        completion = 0;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String u = p.currentName();
                            JsonToken uv = p.nextToken();
                            switch (u) {
                                case "prompt_tokens" -> prompt = number(p, uv);
                                case "completion_tokens" -> completion = number(p, uv);
                                default -> p.skipChildren();
                            }
                        }
                    }
                    case "timings" -> {
                        if (value != JsonToken.START_OBJECT) {
                            p.skipChildren();
                            continue;
                        }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String t = p.currentName();
                            JsonToken tv = p.nextToken();
                            switch (t) {
                                case "prompt_ms" -> promptMs = decimal(p, tv);
                                case "predicted_ms" -> predictedMs = decimal(p, tv);
                                default -> p.skipChildren();
                            }
                        }
                    }
                    case "error" -> error = errorText(p, value);
                    case "object" -> object = text(p, value);
                    case "message" -> message = text(p, value);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new IOException("the event's data is not a JSON object");
            }
        }
        if (error == null && object.equals("error")) {
            error = message == null || message.isBlank() ? "(no details)" : message;
        }
        if (prompt >= 0) {
            usage = Optional.of(new Chunk.Counts(prompt, completion, promptMs, predictedMs));
        }
        return new Chunk(content, reasoning, pieces, finish, usage, Optional.ofNullable(error));
    }

    /** The message of an error payload sent under status 200 ({@code error: {...}} lines of llama-server too). */
    String errorMessage(byte[] bytes, int offset, int length) {
        try {
            JsonNode node = mapper.readTree(bytes, offset, length);
            if (node != null && node.has("error")) {
                node = node.get("error");
            }
            if (node != null && node.isTextual()) {
                return node.asText();
            }
            if (node != null && node.path("message").isTextual()) {
                return node.path("message").asText();
            }
        } catch (IOException notJson) {
            // quoted raw below
        }
        return new String(bytes, offset, length, java.nio.charset.StandardCharsets.UTF_8);
    }

    private String errorText(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        JsonNode node = p.readValueAsTree();
        if (node != null && node.path("message").isTextual()) {
            return node.path("message").asText();
        }
        return String.valueOf(node);
    }

    private static List<Chunk.ToolPiece> toolPieces(JsonParser p, JsonToken token) throws IOException {
        if (token != JsonToken.START_ARRAY) {
            p.skipChildren();
            return List.of();
        }
        List<Chunk.ToolPiece> pieces = new ArrayList<>(1);
        int position = 0;
        while (p.nextToken() == JsonToken.START_OBJECT) {
            int index = position++;
            String id = "";
            String name = "";
            String arguments = "";
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                switch (f) {
                    case "index" -> index = v == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : index;
                    case "id" -> id = text(p, v);
                    case "function" -> {
                        if (v != JsonToken.START_OBJECT) {
                            p.skipChildren();
                            continue;
                        }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String g = p.currentName();
                            JsonToken gv = p.nextToken();
                            switch (g) {
                                case "name" -> name = text(p, gv);
                                case "arguments" -> arguments = gv == JsonToken.START_OBJECT
                                        ? String.valueOf((Object) p.readValueAsTree()) // a server that sends an object
                                        : text(p, gv);
                                default -> p.skipChildren();
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            pieces.add(new Chunk.ToolPiece(index, id, name, arguments));
        }
        return pieces;
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

    private static double decimal(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            double d = p.getDoubleValue();
            return Double.isFinite(d) && d > 0 ? d : 0;
        }
        p.skipChildren();
        return 0;
    }
}
