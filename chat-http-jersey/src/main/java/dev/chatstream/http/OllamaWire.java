package dev.chatstream.http;

import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.Json;
import dev.chatstream.core.Usage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A turn in Ollama's {@code /api/chat} protocol (docs.ollama.com/api; ../shared/ollama-protocol.md): one JSON object
 * per line ({@code application/x-ndjson}) for {@code "stream": true} (this class as a {@link Wire}), or one object
 * ({@link #whole}). Each line: {@code model}, {@code created_at}, {@code message} ({@code role: assistant} and the next
 * piece of {@code content}, or {@code thinking} when asked, or {@code tool_calls} for each action the model asked for:
 * {@code {"function": {"index", "name", "arguments": {...}}}}, never text), {@code done: false}; the last one
 * {@code done: true} with {@code done_reason} and the figures in nanoseconds. A failure is Ollama's own
 * {@code {"error": "..."}} line, and the stream ends there. NDJSON has no comments: nothing is written before the first
 * line (the headers go at once) and a quiet stream gets no keep-alive. Not thread-safe: one per stream.
 */
final class OllamaWire implements Wire {
    private static final byte[] NOTHING = new byte[0];

    private final String model;
    private final Clock clock;
    private int toolCalls;

    /**
     * @param model the model named in every line
     * @param clock for {@code created_at}
     */
    OllamaWire(String model, Clock clock) {
        this.model = model;
        this.clock = clock;
    }

    @Override
    public byte[] open() {
        return NOTHING;
    }

    @Override
    public byte[] ping() {
        return NOTHING;
    }

    @Override
    public byte[] event(long seq, ChatEvent event) {
        return switch (event) {
            case ChatEvent.Chunk c -> line(message(c.content(), null, List.of()), false, null);
            case ChatEvent.Thinking t -> line(message("", t.content(), List.of()), false, null);
            case ChatEvent.ActionRequested a -> line(message("", null, List.of(toolCall(a, toolCalls++))), false,
                    null);
            case ChatEvent.Done d -> line(message("", null, List.of()), true, d.usage());
            case ChatEvent.Failed f -> (Json.write(Map.of("error", f.message())) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            case ChatEvent.Queued q -> NOTHING;
            case ChatEvent.Phase p -> NOTHING;
            case ChatEvent.Speech s -> NOTHING;
            case ChatEvent.FinalText f -> NOTHING;
            case ChatEvent.ActionResult r -> NOTHING;
            case ChatEvent.InvalidAction i -> NOTHING;
        };
    }

    /** The whole turn as one object ({@code "stream": false}), or the error it ended with. */
    ChatGate.Answer whole(List<ChatEvent> events) {
        WholeTurn turn = WholeTurn.of(events);
        if (turn.failed().isPresent()) {
            return failed(turn.failed().get());
        }
        if (turn.usage().isEmpty()) {
            return new ChatGate.Answer(499, Json.write(error(Stream.CLIENT_GONE, ErrorCode.CANCELLED.code())),
                    java.time.Duration.ZERO);
        }
        List<Map<String, Object>> calls = new ArrayList<>();
        for (ChatEvent.ActionRequested a : turn.actions()) {
            calls.add(toolCall(a, calls.size()));
        }
        return new ChatGate.Answer(200, Json.write(object(message(turn.text(),
                turn.reasoning().isEmpty() ? null : turn.reasoning(), calls), true, turn.usage().get())),
                java.time.Duration.ZERO);
    }

    /** A failed turn's answer: Ollama's {@code {"error": "..."}} (with chatstream's code) and a fitting status. */
    static ChatGate.Answer failed(ChatEvent.Failed f) {
        return new ChatGate.Answer(OpenAiWire.status(f.code()), Json.write(error(f.message(), f.code().code())),
                f.retryAfter());
    }

    private static Map<String, Object> error(String message, String code) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        m.put("code", code);
        return m;
    }

    private byte[] line(Map<String, Object> message, boolean done, Usage usage) {
        return (Json.write(object(message, done, usage)) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private Map<String, Object> object(Map<String, Object> message, boolean done, Usage usage) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("created_at", clock.instant().toString());
        m.put("message", message);
        m.put("done", done);
        if (done) {
            m.put("done_reason", usage.doneReason().isEmpty() ? "stop" : usage.doneReason());
            m.put("total_duration", usage.totalDuration().toNanos());
            m.put("load_duration", usage.loadDuration().toNanos());
            m.put("prompt_eval_count", usage.promptTokens());
            m.put("prompt_eval_duration", usage.promptEvalDuration().toNanos());
            m.put("eval_count", usage.completionTokens());
            m.put("eval_duration", usage.evalDuration().toNanos());
        }
        return m;
    }

    private static Map<String, Object> message(String content, String thinking, List<Map<String, Object>> calls) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", "assistant");
        m.put("content", content);
        if (thinking != null) {
            m.put("thinking", thinking);
        }
        if (!calls.isEmpty()) {
            m.put("tool_calls", calls);
        }
        return m;
    }

    private static Map<String, Object> toolCall(ChatEvent.ActionRequested a, int index) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("index", index);
        function.put("name", a.action().tool());
        function.put("arguments", a.action().args());
        Map<String, Object> call = new LinkedHashMap<>();
        a.ticket().ifPresent(t -> call.put("id", t.id()));
        call.put("function", function);
        return call;
    }
}
