package dev.chatstream.http;

import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.Json;
import dev.chatstream.core.SseCodec;
import dev.chatstream.core.Usage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A turn in OpenAI's chat completions protocol (platform.openai.com/docs/api-reference/chat): as
 * {@code chat.completion.chunk} events for {@code "stream": true} (this class as a {@link Wire}), or as one
 * {@code chat.completion} ({@link #completion}). The first chunk carries {@code role: assistant}, as OpenAI's does,
 * and commits the headers; text goes in {@code delta.content}, reasoning in {@code delta.reasoning_content} (as
 * vLLM and DeepSeek send it), each action the model asked for in {@code delta.tool_calls} (function
 * {@value OpenAiRequests#ACTION_TOOL}, its arguments a JSON string; the id is the action's ticket when the server
 * handles actions, so {@code /api/actions/{id}/confirm} works with it), never as text. The last chunk has the
 * {@code finish_reason} ({@code tool_calls} when an action was asked for, {@code length} when the model was cut
 * short, else {@code stop}), then, when asked ({@code stream_options.include_usage}), a chunk with empty
 * {@code choices} and the usage, then {@code data: [DONE]}. A failure is {@code data: {"error": {...}}} in OpenAI's
 * shape, then {@code data: [DONE]}. Not thread-safe: one per stream, called under its lock.
 */
final class OpenAiWire implements Wire {
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    private final String prefix;
    private final String turnId;
    private final String id;
    private final long created;
    private final String model;
    private final boolean includeUsage;
    private int toolCalls;

    /**
     * @param turnId       the turn's id: the completion is {@code chatcmpl-<turn id>}, a tool call with no ticket
     *                     {@code call_<turn id>_<n>}
     * @param created      the completion's time, in seconds since the epoch
     * @param model        the model named in every chunk
     * @param includeUsage whether a usage chunk comes before {@code [DONE]}
     */
    OpenAiWire(String turnId, long created, String model, boolean includeUsage) {
        this.turnId = turnId;
        this.id = "chatcmpl-" + turnId;
        this.created = created;
        this.model = model;
        this.includeUsage = includeUsage;
        this.prefix = "data: {\"id\": " + Json.write(id) + ", \"object\": \"chat.completion.chunk\", \"created\": "
                + created + ", \"model\": " + Json.write(model) + ", \"system_fingerprint\": null, \"choices\": [";
    }

    @Override
    public byte[] open() {
        return choice("{\"role\": \"assistant\", \"content\": \"\"}", "null");
    }

    @Override
    public byte[] event(long seq, ChatEvent event) {
        return switch (event) {
            case ChatEvent.Chunk c -> choice("{\"content\": " + Json.write(c.content()) + "}", "null");
            case ChatEvent.Thinking t -> choice("{\"reasoning_content\": " + Json.write(t.content()) + "}", "null");
            case ChatEvent.ActionRequested a -> choice("{\"tool_calls\": [" + Json.write(toolCall(a, toolCalls++))
                    + "]}", "null");
            case ChatEvent.Queued q -> SseCodec.QUEUED;
            case ChatEvent.Phase p -> new byte[0];
            case ChatEvent.Speech s -> new byte[0];
            case ChatEvent.Done d -> done(d.usage());
            case ChatEvent.Failed f -> concat(("data: " + error(f.message(), type(status(f.code())), f.code().code())
                    + "\n\n").getBytes(StandardCharsets.UTF_8), DONE);
            // not in OpenAI's protocol: the text came in chunks, results and invalid lines have no place
            case ChatEvent.FinalText f -> new byte[0];
            case ChatEvent.ActionResult r -> new byte[0];
            case ChatEvent.InvalidAction i -> new byte[0];
        };
    }

    private byte[] done(Usage usage) {
        byte[] last = choice("{}", Json.write(finishReason(usage, toolCalls)));
        if (!includeUsage) {
            return concat(last, DONE);
        }
        byte[] figures = (prefix + "], \"usage\": " + Json.write(usage(usage)) + "}\n\n")
                .getBytes(StandardCharsets.UTF_8);
        return concat(concat(last, figures), DONE);
    }

    private byte[] choice(String delta, String finishReason) {
        return (prefix + "{\"index\": 0, \"delta\": " + delta + ", \"logprobs\": null, \"finish_reason\": "
                + finishReason + "}]}\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The whole turn as one {@code chat.completion}, or the error it ended with.
     *
     * @param events the turn's events, up to its terminal one
     */
    ChatGate.Answer completion(List<ChatEvent> events) {
        WholeTurn turn = WholeTurn.of(events);
        if (turn.failed().isPresent()) {
            return failed(turn.failed().get());
        }
        if (turn.usage().isEmpty()) {
            return new ChatGate.Answer(499, error(Stream.CLIENT_GONE, type(499), ErrorCode.CANCELLED.code()),
                    java.time.Duration.ZERO);
        }
        List<Map<String, Object>> calls = new ArrayList<>();
        for (ChatEvent.ActionRequested a : turn.actions()) {
            Map<String, Object> call = toolCall(a, calls.size());
            call.remove("index");
            calls.add(call);
        }
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", "assistant");
        message.put("content", turn.text().isEmpty() && !calls.isEmpty() ? null : turn.text());
        if (!turn.reasoning().isEmpty()) {
            message.put("reasoning_content", turn.reasoning());
        }
        if (!calls.isEmpty()) {
            message.put("tool_calls", calls);
        }
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("message", message);
        choice.put("logprobs", null);
        choice.put("finish_reason", finishReason(turn.usage().get(), calls.size()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("object", "chat.completion");
        body.put("created", created);
        body.put("model", model);
        body.put("system_fingerprint", null);
        body.put("choices", List.of(choice));
        body.put("usage", usage(turn.usage().get()));
        return new ChatGate.Answer(200, Json.write(body), java.time.Duration.ZERO);
    }

    /** A failed turn's answer: OpenAI's error shape and a fitting status. */
    static ChatGate.Answer failed(ChatEvent.Failed f) {
        int status = status(f.code());
        return new ChatGate.Answer(status, error(f.message(), type(status), f.code().code()), f.retryAfter());
    }

    private Map<String, Object> toolCall(ChatEvent.ActionRequested a, int index) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", a.action().tool());
        function.put("arguments", Json.write(a.action().args()));
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("index", index);
        call.put("id", a.ticket().map(ChatEvent.ActionTicket::id).orElseGet(() -> "call_" + turnId + "_" + index));
        call.put("type", "function");
        call.put("function", function);
        return call;
    }

    private static String finishReason(Usage usage, int toolCalls) {
        return toolCalls > 0 ? "tool_calls" : usage.truncated() ? "length" : "stop";
    }

    private static Map<String, Object> usage(Usage usage) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt_tokens", usage.promptTokens());
        m.put("completion_tokens", usage.completionTokens());
        m.put("total_tokens", usage.promptTokens() + usage.completionTokens());
        return m;
    }

    /** An error body in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}}. */
    static String error(String message, String type, String code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", null);
        error.put("code", code);
        return Json.write(Map.of("error", error));
    }

    /** OpenAI's error type for an HTTP status. */
    static String type(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }

    /**
     * The HTTP status a turn that ended with {@code code} answers with, when it is not a stream: what the client
     * should do, as OpenAI's statuses say it (its SDKs retry 408, 409, 429 and 5xx by themselves).
     */
    static int status(ErrorCode code) {
        return switch (code) {
            case INVALID_REQUEST, LLM_REJECTED, PROMPT_TOO_LONG, INVALID_ACTION -> 400;
            case MODEL_NOT_FOUND, CONVERSATION_NOT_FOUND, ACTION_NOT_FOUND -> 404;
            case LLM_UNAVAILABLE, LLM_BUSY, SERVER_BUSY, CONTEXT_UNAVAILABLE, SERVER_SHUTDOWN, STORE_UNAVAILABLE,
                 SHARED_STATE_UNAVAILABLE, NODE_LOST -> 503;
            case LLM_FAILED, LLM_PROTOCOL -> 502;
            case LLM_TIMEOUT, TIMEOUT -> 504;
            case CANCELLED -> 499; // stopped (POST /api/chat/turns/{id}/stop) or the client left: nobody to retry
            case ACTION_EXPIRED, ACTION_ALREADY_DECIDED -> 409;
            case INTERNAL -> 500;
        };
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
