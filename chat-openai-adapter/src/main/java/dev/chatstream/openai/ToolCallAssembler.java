package dev.chatstream.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chatstream.core.Action;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Joins the pieces of streamed tool calls into whole calls: pieces with the same {@code index} belong to one call,
 * whose name comes once (or again, whole: Ollama's {@code /v1} sends each call in one piece) and whose arguments
 * arrive as JSON text in fragments split anywhere. A call whose arguments are not a JSON object once joined, or
 * that has no name, is dropped: the model wrote something that is not a call, and nothing runs on a guess.
 * Not thread-safe; one per reply.
 */
final class ToolCallAssembler {
    private static final int MAX_ARGUMENT_CHARS = 64 * 1024;

    private final ObjectMapper mapper;
    private final TreeMap<Integer, Call> calls = new TreeMap<>();
    private int dropped;

    ToolCallAssembler(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    private static final class Call {
        String name = "";
        final StringBuilder arguments = new StringBuilder();
    }

    void add(List<Chunk.ToolPiece> pieces) {
        for (Chunk.ToolPiece piece : pieces) {
            Call call = calls.computeIfAbsent(piece.index(), i -> new Call());
            if (!piece.name().isEmpty()) {
                call.name = piece.name();
            }
            if (call.arguments.length() + piece.arguments().length() <= MAX_ARGUMENT_CHARS) {
                call.arguments.append(piece.arguments());
            }
        }
    }

    /** Whether any call is waiting to be finished. */
    boolean pending() {
        return !calls.isEmpty();
    }

    /** The whole calls, in index order; afterwards none is pending. */
    List<Action> finish() {
        List<Action> out = new ArrayList<>(calls.size());
        for (Call call : calls.values()) {
            String args = call.arguments.toString().strip();
            try {
                Object parsed = args.isEmpty() ? Map.of() : mapper.readValue(args, Object.class);
                if (!call.name.isBlank() && parsed instanceof Map<?, ?> map) {
                    out.add(Action.fromJson(call.name.strip(), map));
                } else {
                    dropped++;
                }
            } catch (IOException | IllegalArgumentException notACall) {
                dropped++;
            }
        }
        calls.clear();
        return out;
    }

    /** How many calls were dropped as not calls. */
    int dropped() {
        return dropped;
    }
}
