package dev.chatstream.http;

import dev.chatstream.core.Json;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.Usage;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The wire form of each {@link ChatEvent}: the contract an existing client depends on, byte for byte.
 * Chunks have no {@code event:} line (clients get them as {@code message} events); every other event is
 * named; every event has an {@code id:}. {@code docs/api.md} shows each one.
 */
final class SseFormat {
    static final byte[] OPEN = ": stream open\n\n".getBytes(StandardCharsets.UTF_8);
    static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.UTF_8);

    private SseFormat() {
    }

    static byte[] frame(long id, ChatEvent event, String requestId) {
        String text = switch (event) {
            case ChatEvent.Chunk c -> frame(id, null, map("type", "chunk", "content", c.content()));
            case ChatEvent.Thinking t -> frame(id, "thinking", map("content", t.content()));
            case ChatEvent.FinalText f -> frame(id, "final_text", map("text", f.text()));
            case ChatEvent.ActionRequested a -> frame(id, "action", action(a));
            case ChatEvent.ActionResult r -> frame(id, "action_result", actionResult(r));
            case ChatEvent.InvalidAction i -> frame(id, "action_error",
                    map("error", i.message(), "code", i.code().code()));
            case ChatEvent.Done d -> frame(id, "done", done(d, requestId));
            case ChatEvent.Failed f -> frame(id, "error", error(f, requestId));
        };
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code {"id", "status", "message"}}: the {@code action_result} event's data, and the confirm/cancel answer. */
    static Map<String, Object> actionResult(ChatEvent.ActionResult r) {
        return map("id", r.id(), "status", r.status().code(), "message", r.message());
    }

    /** The old shape ({@code {"action": {...}}}), plus the ticket when the server handles actions. */
    private static Map<String, Object> action(ChatEvent.ActionRequested a) {
        Map<String, Object> m = map("action", map("tool", a.action().tool(), "args", a.action().args()));
        a.ticket().ifPresent(t -> {
            m.put("id", t.id());
            m.put("needs_confirmation", t.needsConfirmation());
            t.confirmBy().ifPresent(by -> m.put("confirm_by", by.toString()));
        });
        return m;
    }

    private static Map<String, Object> error(ChatEvent.Failed f, String requestId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", f.message());
        m.put("code", f.code().code());
        m.put("request_id", requestId);
        if (f.conversationId().isPresent()) {
            m.put("conversation_id", f.conversationId().getAsLong());
        }
        if (!f.retryAfter().isZero()) {
            m.put("retry_after", Math.max(1, (f.retryAfter().toMillis() + 999) / 1000));
        }
        return m;
    }

    private static Map<String, Object> done(ChatEvent.Done d, String requestId) {
        Usage u = d.usage();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("finished", true);
        m.put("prompt_tokens", u.promptTokens());
        m.put("completion_tokens", u.completionTokens());
        m.put("total_duration_ms", u.totalDuration().toMillis());
        m.put("load_duration_ms", u.loadDuration().toMillis());
        m.put("tokens_per_second", Math.round(u.tokensPerSecond() * 10) / 10.0);
        m.put("done_reason", u.doneReason());
        m.put("request_id", requestId);
        if (d.conversationId().isPresent()) {
            m.put("conversation_id", d.conversationId().getAsLong());
        }
        return m;
    }

    private static String frame(long id, String name, Map<String, Object> data) {
        StringBuilder out = new StringBuilder(96);
        if (name != null) {
            out.append("event: ").append(name).append('\n');
        }
        out.append("id: ").append(id).append('\n');
        out.append("data: ").append(Json.write(data)).append("\n\n");
        return out.toString();
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
