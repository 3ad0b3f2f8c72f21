package dev.chatstream.redis;

import dev.chatstream.core.Action;
import dev.chatstream.core.ActionStatus;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.Json;
import dev.chatstream.core.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One {@link ChatEvent} as one JSON object, for the copy of a turn's log that other nodes read: {@code {"t": kind,
 * ...fields}}; {@link #read} gives back an equal event. Not a wire format: only nodes of one version read it.
 */
final class EventJson {
    private EventJson() {
    }

    static String write(ChatEvent event) {
        Map<String, Object> out = new LinkedHashMap<>();
        switch (event) {
            case ChatEvent.Chunk c -> {
                out.put("t", "chunk");
                out.put("content", c.content());
            }
            case ChatEvent.Thinking t -> {
                out.put("t", "thinking");
                out.put("content", t.content());
            }
            case ChatEvent.Queued q -> {
                out.put("t", "queued");
                out.put("position", q.position());
            }
            case ChatEvent.Phase p -> {
                out.put("t", "phase");
                out.put("kind", p.kind().name());
                out.put("at_ms", p.atMs());
            }
            case ChatEvent.Speech s -> {
                out.put("t", "speech");
                out.put("text", s.text());
                out.put("index", s.index());
            }
            case ChatEvent.FinalText f -> {
                out.put("t", "final_text");
                out.put("text", f.text());
            }
            case ChatEvent.ActionRequested a -> {
                out.put("t", "action");
                out.put("action", a.action().toJson());
                a.ticket().ifPresent(ticket -> {
                    out.put("ticket", ticket.id());
                    ticket.confirmBy().ifPresent(by -> out.put("confirm_by", by.toEpochMilli()));
                });
            }
            case ChatEvent.ActionResult r -> {
                out.put("t", "action_result");
                out.put("id", r.id());
                out.put("status", r.status().name());
                out.put("message", r.message());
            }
            case ChatEvent.InvalidAction i -> {
                out.put("t", "invalid_action");
                out.put("message", i.message());
            }
            case ChatEvent.Done d -> {
                out.put("t", "done");
                Usage u = d.usage();
                out.put("prompt_tokens", u.promptTokens());
                out.put("completion_tokens", u.completionTokens());
                out.put("total_ns", u.totalDuration().toNanos());
                out.put("load_ns", u.loadDuration().toNanos());
                out.put("prompt_eval_ns", u.promptEvalDuration().toNanos());
                out.put("eval_ns", u.evalDuration().toNanos());
                out.put("done_reason", u.doneReason());
                d.conversationId().ifPresent(id -> out.put("conversation_id", id));
            }
            case ChatEvent.Failed f -> {
                out.put("t", "failed");
                out.put("code", f.code().name());
                out.put("message", f.message());
                f.conversationId().ifPresent(id -> out.put("conversation_id", id));
                out.put("retry_after_ms", f.retryAfter().toMillis());
            }
        }
        return Json.write(out);
    }

    /**
     * The event {@link #write} wrote.
     *
     * @throws IllegalArgumentException when {@code json} is not such an event
     */
    static ChatEvent read(String json) {
        if (!(Json.read(json) instanceof Map<?, ?> m) || !(m.get("t") instanceof String kind)) {
            throw new IllegalArgumentException("not a logged event: " + json);
        }
        try {
            return switch (kind) {
                case "chunk" -> new ChatEvent.Chunk(text(m, "content"));
                case "thinking" -> new ChatEvent.Thinking(text(m, "content"));
                case "queued" -> new ChatEvent.Queued((int) number(m, "position"));
                case "phase" -> new ChatEvent.Phase(ChatEvent.Phase.Kind.valueOf(text(m, "kind")), number(m, "at_ms"));
                case "speech" -> new ChatEvent.Speech(text(m, "text"), (int) number(m, "index"));
                case "final_text" -> new ChatEvent.FinalText(text(m, "text"));
                case "action" -> new ChatEvent.ActionRequested(Action.parse(text(m, "action")),
                        m.get("ticket") instanceof String id ? Optional.of(new ChatEvent.ActionTicket(id,
                                m.get("confirm_by") instanceof Number by
                                        ? Optional.of(Instant.ofEpochMilli(by.longValue())) : Optional.empty()))
                                : Optional.empty());
                case "action_result" -> new ChatEvent.ActionResult(text(m, "id"),
                        ActionStatus.valueOf(text(m, "status")), text(m, "message"));
                case "invalid_action" -> new ChatEvent.InvalidAction(text(m, "message"));
                case "done" -> new ChatEvent.Done(new Usage(number(m, "prompt_tokens"), number(m, "completion_tokens"),
                        Duration.ofNanos(number(m, "total_ns")), Duration.ofNanos(number(m, "load_ns")),
                        Duration.ofNanos(number(m, "prompt_eval_ns")), Duration.ofNanos(number(m, "eval_ns")),
                        text(m, "done_reason")), conversation(m));
                case "failed" -> new ChatEvent.Failed(ErrorCode.valueOf(text(m, "code")), text(m, "message"),
                        conversation(m), Duration.ofMillis(number(m, "retry_after_ms")));
                default -> throw new IllegalArgumentException("unknown kind " + kind);
            };
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("not a logged event: " + json, e);
        }
    }

    private static String text(Map<?, ?> m, String key) {
        return (String) java.util.Objects.requireNonNull(m.get(key), key);
    }

    private static long number(Map<?, ?> m, String key) {
        return ((Number) java.util.Objects.requireNonNull(m.get(key), key)).longValue();
    }

    private static OptionalLong conversation(Map<?, ?> m) {
        return m.get("conversation_id") instanceof Number n ? OptionalLong.of(n.longValue()) : OptionalLong.empty();
    }
}
