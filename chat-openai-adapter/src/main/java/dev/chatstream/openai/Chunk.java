package dev.chatstream.openai;

import java.util.List;
import java.util.Optional;

/**
 * What one {@code data:} event of a chat-completions stream said, reduced to what chatstream uses (the first
 * choice only: chatstream asks for one).
 *
 * @param content      the text delta; empty when none
 * @param reasoning    the reasoning delta ({@code reasoning_content}, or {@code reasoning}); empty when none
 * @param toolPieces   pieces of native tool calls, to be joined by their index
 * @param finishReason {@code stop}, {@code length}, {@code tool_calls}...; empty while the choice goes on
 * @param usage        the token counts, when this chunk carries them
 * @param error        the server's message when the event is an error instead of a chunk
 */
record Chunk(String content, String reasoning, List<ToolPiece> toolPieces, String finishReason,
             Optional<Counts> usage, Optional<String> error) {

    /** One piece of a streamed tool call: the first usually has the id and name, later ones argument text. */
    record ToolPiece(int index, String id, String name, String arguments) {
    }

    /**
     * Token counts and, from llama-server's {@code timings}, the times it measured (zero when not sent).
     */
    record Counts(long promptTokens, long completionTokens, double promptMillis, double predictedMillis) {
    }
}
