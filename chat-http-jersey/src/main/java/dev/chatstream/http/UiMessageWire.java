package dev.chatstream.http;

import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.Json;
import dev.chatstream.core.SseCodec;
import dev.chatstream.core.Usage;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A turn in the Vercel AI SDK's UI message stream protocol, v1 (ai-sdk.dev, "Stream protocols"; the parts as the
 * {@code ai} package's {@code uiMessageChunkSchema} accepts them): SSE {@code data:} events of {@code start} (the
 * message id), {@code reasoning-start/-delta/-end} for reasoning, {@code text-start/-delta/-end} for text, a
 * {@code data-action} part for each action the model asked for (its id the action's, updated in place by its result,
 * as the SDK replaces a data part with the same id), {@code finish} with the reason and the usage as message metadata,
 * or {@code error}; then {@code data: [DONE]}. Every part's id derives from the turn, so a replay of the turn (the
 * SDK's resume is one) builds the same message. Not thread-safe: one per stream.
 */
final class UiMessageWire implements Wire {
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    private final String turnId;
    private final Map<String, Map<String, Object>> actions = new HashMap<>();
    private String open; // the id of the text or reasoning part being written, if any
    private boolean openIsText;
    private int parts;
    private int actionCount;

    UiMessageWire(String turnId) {
        this.turnId = turnId;
    }

    /** The assistant message's id: {@code msg_<turn id>}. */
    static String messageId(String turnId) {
        return "msg_" + turnId;
    }

    @Override
    public byte[] open() {
        return part(ordered("type", "start", "messageId", messageId(turnId)));
    }

    @Override
    public byte[] event(long seq, ChatEvent event) {
        return switch (event) {
            case ChatEvent.Chunk c -> delta(true, c.content());
            case ChatEvent.Thinking t -> delta(false, t.content());
            case ChatEvent.ActionRequested a -> concat(close(), action(a));
            case ChatEvent.ActionResult r -> result(r);
            case ChatEvent.Done d -> concat(concat(close(), finish(d.usage())), DONE);
            case ChatEvent.Failed f -> concat(concat(close(), part(ordered("type", "error", "errorText",
                    f.message()))), DONE);
            case ChatEvent.Queued q -> SseCodec.QUEUED;
            case ChatEvent.Phase p -> new byte[0];
            case ChatEvent.Speech s -> new byte[0];
            case ChatEvent.FinalText f -> new byte[0];
            case ChatEvent.InvalidAction i -> new byte[0];
        };
    }

    private byte[] delta(boolean text, String content) {
        byte[] start = new byte[0];
        if (open == null || openIsText != text) {
            start = close();
            open = (text ? "text_" : "reasoning_") + turnId + "_" + parts++;
            openIsText = text;
            start = concat(start, part(ordered("type", text ? "text-start" : "reasoning-start", "id", open)));
        }
        Map<String, Object> delta = new LinkedHashMap<>();
        delta.put("type", text ? "text-delta" : "reasoning-delta");
        delta.put("id", open);
        delta.put("delta", content);
        return concat(start, part(delta));
    }

    private byte[] close() {
        if (open == null) {
            return new byte[0];
        }
        byte[] end = part(ordered("type", openIsText ? "text-end" : "reasoning-end", "id", open));
        open = null;
        return end;
    }

    private byte[] action(ChatEvent.ActionRequested a) {
        String id = a.ticket().map(ChatEvent.ActionTicket::id).orElse("action_" + turnId + "_" + actionCount);
        actionCount++;
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("tool", a.action().tool());
        data.put("args", a.action().args());
        a.ticket().ifPresent(t -> {
            data.put("action_id", t.id());
            data.put("status", t.needsConfirmation() ? "needs_confirmation" : "pending");
            t.confirmBy().ifPresent(by -> data.put("confirm_by", by.toString()));
        });
        if (a.ticket().isEmpty()) {
            data.put("status", "suggested");
        }
        actions.put(id, data);
        return dataPart(id, data);
    }

    private byte[] result(ChatEvent.ActionResult r) {
        Map<String, Object> data = actions.get(r.id());
        if (data == null) {
            return new byte[0];
        }
        data.put("status", r.status().code());
        data.put("message", r.message());
        return dataPart(r.id(), data);
    }

    private byte[] dataPart(String id, Map<String, Object> data) {
        Map<String, Object> part = new LinkedHashMap<>();
        part.put("type", "data-action");
        part.put("id", id);
        part.put("data", data);
        return part(part);
    }

    private byte[] finish(Usage usage) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("prompt_tokens", usage.promptTokens());
        metadata.put("completion_tokens", usage.completionTokens());
        Map<String, Object> finish = new LinkedHashMap<>();
        finish.put("type", "finish");
        finish.put("finishReason", actionCount > 0 ? "tool-calls" : usage.truncated() ? "length" : "stop");
        finish.put("messageMetadata", metadata);
        return part(finish);
    }

    /** Keys and values in the order given (the bytes are the same on every run). */
    private static Map<String, Object> ordered(String... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static byte[] part(Map<String, ?> part) {
        return ("data: " + Json.write(part) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
