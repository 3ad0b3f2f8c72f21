package dev.chatstream.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The one codec of chatstream's Server-Sent Events: the contract an existing client depends on, byte for byte.
 * {@link #encode} writes each {@link ChatEvent} as the server sends it; {@link #decode} reads an event back (the
 * {@code chat --server} client, the tests and the bench use it, with {@link SseReader} for the framing). Chunks have
 * no {@code event:} line (clients get them as {@code message} events); every other event is named; every event has
 * an {@code id:}. Golden files under {@code chat-core/src/test/resources/wire/} pin every kind; {@code docs/api.md}
 * shows each one. Stateless and thread-safe.
 */
public final class SseCodec {
    /** The comment that opens every stream, so headers and the client's loading state never wait for the model. */
    public static final byte[] OPEN = ": stream open\n\n".getBytes(StandardCharsets.UTF_8);
    /** The comment that says the reply waits for a free LLM backend ({@link ChatEvent.Queued}). */
    public static final byte[] QUEUED = ": queued\n\n".getBytes(StandardCharsets.UTF_8);
    /** The heartbeat comment, sent while nothing else is. */
    public static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.UTF_8);

    private SseCodec() {
    }

    /**
     * The frame of {@code event}, numbered {@code id}; {@code requestId} goes into {@code done} and {@code error}.
     */
    public static byte[] encode(long id, ChatEvent event, String requestId) {
        return encode(Long.toString(id), event, requestId);
    }

    /**
     * The frame of {@code event} with the event id {@code id} (on the server {@code <turn_id>:<seq>}, which a
     * client sends back as {@code Last-Event-ID} to resume); {@code requestId} goes into {@code done} and
     * {@code error}.
     */
    public static byte[] encode(String id, ChatEvent event, String requestId) {
        if (event instanceof ChatEvent.Queued) {
            return QUEUED.clone(); // a comment: no id, so a client's Last-Event-ID never points at it
        }
        String name = name(event);
        return frame(id, name.equals("message") ? null : name, data(event, requestId)).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A {@code done} frame with more figures after the usual ones (for a client that asked for phases:
     * {@code prompt_eval_ms}, {@code time_to_first_token_ms}); the usual fields and their order stay as they are.
     */
    public static byte[] encodeDone(String id, ChatEvent.Done done, String requestId, Map<String, Object> more) {
        Map<String, Object> data = done(done, requestId);
        data.putAll(more);
        return frame(id, "done", data).getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code event:} name of {@code event}'s frame ({@code message} for a chunk, which has no such line). */
    public static String name(ChatEvent event) {
        return switch (event) {
            case ChatEvent.Queued q -> throw new IllegalArgumentException("queued is a comment, not an event");
            case ChatEvent.Phase p -> "phase";
            case ChatEvent.Speech s -> "speech";
            case ChatEvent.Chunk c -> "message";
            case ChatEvent.Thinking t -> "thinking";
            case ChatEvent.FinalText f -> "final_text";
            case ChatEvent.ActionRequested a -> "action";
            case ChatEvent.ActionResult r -> "action_result";
            case ChatEvent.InvalidAction i -> "action_error";
            case ChatEvent.Done d -> "done";
            case ChatEvent.Failed f -> "error";
        };
    }

    /** The data object of {@code event}'s frame, as JSON values; {@code requestId} goes into done and error. */
    public static Map<String, Object> data(ChatEvent event, String requestId) {
        return switch (event) {
            case ChatEvent.Queued q -> throw new IllegalArgumentException("queued is a comment, not an event");
            case ChatEvent.Phase p -> map("phase", p.kind().wireName(), "at_ms", p.atMs());
            case ChatEvent.Speech s -> map("text", s.text(), "index", s.index());
            case ChatEvent.Chunk c -> map("type", "chunk", "content", c.content());
            case ChatEvent.Thinking t -> map("content", t.content());
            case ChatEvent.FinalText f -> map("text", f.text());
            case ChatEvent.ActionRequested a -> action(a);
            case ChatEvent.ActionResult r -> actionResult(r);
            case ChatEvent.InvalidAction i -> map("error", i.message(), "code", i.code().code());
            case ChatEvent.Done d -> done(d, requestId);
            case ChatEvent.Failed f -> error(f, requestId);
        };
    }

    /** {@code {"id", "status", "message"}}: the {@code action_result} event's data, and the confirm/cancel answer. */
    public static Map<String, Object> actionResult(ChatEvent.ActionResult r) {
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

    private static String frame(String id, String name, Map<String, Object> data) {
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

    /**
     * The event one frame carries: {@code name} as the framing gave it ({@code message} for an unnamed event) and its
     * {@code data}. Empty for an event kind this codec does not know (a newer server may send more) or a
     * {@code message} that is not a chunk.
     *
     * @throws IllegalArgumentException when a known kind's data is not what the contract says, naming the field
     */
    public static Optional<ChatEvent> decode(String name, String data) {
        Map<String, Object> d = object(data, name);
        return Optional.ofNullable(switch (name) {
            case "message" -> "chunk".equals(d.get("type")) ? new ChatEvent.Chunk(text(d, "content")) : null;
            case "thinking" -> new ChatEvent.Thinking(text(d, "content"));
            case "phase" -> ChatEvent.Phase.Kind.fromWireName(text(d, "phase"))
                    .map(k -> new ChatEvent.Phase(k, Math.max(0, number(d, "at_ms", 0).longValue()))).orElse(null);
            case "speech" -> new ChatEvent.Speech(text(d, "text"), Math.max(0, number(d, "index", 0).intValue()));
            case "final_text" -> new ChatEvent.FinalText(text(d, "text"));
            case "action" -> actionRequested(d);
            case "action_result" -> new ChatEvent.ActionResult(text(d, "id"), actionStatus(text(d, "status")),
                    text(d, "message"));
            case "action_error" -> new ChatEvent.InvalidAction(text(d, "error"));
            case "done" -> new ChatEvent.Done(usage(d), conversation(d));
            case "error" -> new ChatEvent.Failed(errorCode(text(d, "code")), text(d, "error"), conversation(d),
                    Duration.ofSeconds(Math.max(0, number(d, "retry_after", 0).longValue())));
            default -> null;
        });
    }

    private static Map<String, Object> object(String data, String name) {
        Object value;
        try {
            value = JsonReader.read(data);
        } catch (JsonReader.JsonSyntaxException e) {
            throw new IllegalArgumentException("the " + name + " event's data is not JSON: " + e.getMessage(), e);
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("the " + name + " event's data is not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) map;
        return object;
    }

    private static ChatEvent.ActionRequested actionRequested(Map<String, Object> d) {
        if (!(d.get("action") instanceof Map<?, ?> raw)) {
            throw new IllegalArgumentException("action is missing");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> action = (Map<String, Object>) raw;
        Object args = action.getOrDefault("args", Map.of());
        if (!(args instanceof Map<?, ?> argsMap)) {
            throw new IllegalArgumentException("action.args must be an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typedArgs = (Map<String, Object>) argsMap;
        Optional<ChatEvent.ActionTicket> ticket = Optional.empty();
        if (d.get("id") instanceof String id) {
            Optional<Instant> by = Optional.empty();
            if (d.get("confirm_by") instanceof String when) {
                try {
                    by = Optional.of(Instant.parse(when));
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("confirm_by is not an instant: " + when, e);
                }
            }
            ticket = Optional.of(new ChatEvent.ActionTicket(id, by));
        }
        return new ChatEvent.ActionRequested(new Action(text(action, "tool"), typedArgs), ticket);
    }

    /** The wire carries milliseconds and a rate; the generation time is what gives that rate back. */
    private static Usage usage(Map<String, Object> d) {
        long completion = number(d, "completion_tokens", 0).longValue();
        double perSecond = number(d, "tokens_per_second", 0).doubleValue();
        Duration eval = perSecond > 0 ? Duration.ofNanos((long) (completion / perSecond * 1e9)) : Duration.ZERO;
        return new Usage(number(d, "prompt_tokens", 0).longValue(), completion,
                Duration.ofMillis(number(d, "total_duration_ms", 0).longValue()),
                Duration.ofMillis(number(d, "load_duration_ms", 0).longValue()), Duration.ZERO, eval,
                d.get("done_reason") instanceof String reason ? reason : "");
    }

    private static OptionalLong conversation(Map<String, Object> d) {
        return d.get("conversation_id") instanceof Long id ? OptionalLong.of(id) : OptionalLong.empty();
    }

    private static String text(Map<String, Object> d, String field) {
        if (!(d.get(field) instanceof String s)) {
            throw new IllegalArgumentException(field + " is missing or not a string");
        }
        return s;
    }

    private static Number number(Map<String, Object> d, String field, long absent) {
        Object v = d.get(field);
        if (v == null) {
            return absent;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException(field + " is not a number");
        }
        return n;
    }

    private static ActionStatus actionStatus(String wire) {
        for (ActionStatus s : ActionStatus.values()) {
            if (s.code().equals(wire)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown action status " + wire);
    }

    /** An error code this client does not know (a newer server's) reads as {@code internal_error}. */
    private static ErrorCode errorCode(String wire) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.code().equals(wire)) {
                return c;
            }
        }
        return ErrorCode.INTERNAL;
    }
}
