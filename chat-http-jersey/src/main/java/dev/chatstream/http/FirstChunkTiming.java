package dev.chatstream.http;

/**
 * Where one new turn's first chunk spent its time, for {@code chatstream_stream_first_chunk_phase_seconds}: from the
 * request to its turn's thread running ({@code admit}: reading, validation, limits, the plan, the hand-off), from there
 * to the first chunk in the turn's log ({@code generate}: the prompt, the LLM's first token, the ACTION filter), and
 * from there to the chunk written to the client that started it ({@code deliver}: the reader's wake-up, the write).
 * The turn's thread writes the first two marks, the response's thread reads them. Thread-safe.
 */
final class FirstChunkTiming {
    private final long accepted;
    private volatile long begun;
    private volatile long logged;

    FirstChunkTiming(long acceptedNanos) {
        this.accepted = acceptedNanos;
    }

    /** The turn's thread runs its body now. */
    void begun() {
        begun = System.nanoTime();
    }

    /** The turn's first chunk is in its log now; later calls change nothing. */
    void logged() {
        if (logged == 0) {
            logged = System.nanoTime();
        }
    }

    /** Records the three phases, once the first chunk was written at {@code written}; nothing when a mark is missing. */
    void record(ServerMetrics metrics, long written) {
        long b = begun;
        long l = logged;
        if (b == 0 || l == 0) {
            return;
        }
        metrics.firstChunkPhase("admit", b - accepted);
        metrics.firstChunkPhase("generate", l - b);
        metrics.firstChunkPhase("deliver", written - l);
    }
}
