package dev.chatstream.http;

import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.SseCodec;

/**
 * How one protocol writes a turn's events on an event stream: chatstream's own ({@link #chatstream}) or a front
 * door's (OpenAI's chunks, {@link OpenAiWire}). One per stream; called under the stream's lock, so it may keep
 * state between events.
 */
interface Wire {
    /** What commits the response's headers at once, before any event (an SSE comment). */
    byte[] open();

    /** The bytes of the turn's event number {@code seq}; empty when this protocol has nothing to say for it. */
    byte[] event(long seq, ChatEvent event);

    /** What keeps an idle connection alive (an SSE comment). */
    default byte[] ping() {
        return SseCodec.PING;
    }

    /** chatstream's own format ({@link SseCodec}), each event with the id {@code <turn_id>:<seq>}, no phases. */
    static Wire chatstream(String turnId, String requestId) {
        return chatstream(turnId, requestId, OptIns.NONE);
    }

    /**
     * chatstream's own format, with the events the client opted into (an old client must never see an event it does
     * not know); with phases, {@code done} also says {@code prompt_eval_ms} (the LLM's figure) and
     * {@code time_to_first_token_ms} (chatstream's: the first thinking or generating phase, when this stream saw it).
     */
    static Wire chatstream(String turnId, String requestId, OptIns optIns) {
        boolean phases = optIns.phases();
        return new Wire() {
            private long firstTokenMs = -1;

            @Override
            public byte[] open() {
                return SseCodec.OPEN;
            }

            @Override
            public byte[] event(long seq, ChatEvent event) {
                if (!optIns.wants(event)) {
                    return new byte[0];
                }
                if (event instanceof ChatEvent.Phase p) {
                    if (firstTokenMs < 0 && (p.kind() == ChatEvent.Phase.Kind.THINKING
                            || p.kind() == ChatEvent.Phase.Kind.GENERATING)) {
                        firstTokenMs = p.atMs();
                    }
                }
                if (phases && event instanceof ChatEvent.Done d) {
                    java.util.Map<String, Object> more = new java.util.LinkedHashMap<>();
                    more.put("prompt_eval_ms", d.usage().promptEvalDuration().toMillis());
                    if (firstTokenMs >= 0) {
                        more.put("time_to_first_token_ms", firstTokenMs);
                    }
                    return SseCodec.encodeDone(turnId + ":" + seq, d, requestId, more);
                }
                return SseCodec.encode(turnId + ":" + seq, event, requestId);
            }
        };
    }
}
