package dev.chatstream.core;

import java.time.Duration;
import java.util.List;

/**
 * The port to where one turn's events are kept while it runs and a while after, so that a client that lost its
 * connection (or a second one) can read them again from any point: each event exactly once, in order. Events
 * are numbered from 1 ({@code seq}); the terminal event ({@link ChatEvent.Done} or {@link ChatEvent.Failed}) is
 * the last one ever appended. One node keeps logs in memory ({@link InMemoryTurnLogs}); several nodes keep them there
 * too and copy them where the others read them ({@link TurnDirectory#follow}). Thread-safe: one writer, any number of
 * readers.
 */
public interface TurnLog {
    /**
     * Appends {@code event}.
     *
     * @return its {@code seq}: 1 for the first event, then one more each time
     * @throws IllegalStateException after the terminal event
     */
    long append(ChatEvent event);

    /**
     * The events after {@code after}, waiting up to {@code wait} for one when there are none yet.
     *
     * @param after the last {@code seq} the reader has (0 for none)
     * @return the events after it (empty when none came in time), and whether the terminal event is among what
     *         the log holds, so a reader that has everything knows the turn is over
     * @throws InterruptedException when the waiting thread is interrupted
     */
    Batch read(long after, Duration wait) throws InterruptedException;

    /** The {@code seq} of the last event appended; 0 before the first. */
    long last();

    /** Whether the terminal event was appended. */
    boolean ended();

    /** About how many bytes the log holds (for the memory bound on kept logs). */
    long bytes();

    /** One event and its number. */
    record Entry(long seq, ChatEvent event) {
    }

    /**
     * What one read found.
     *
     * @param entries the events after the reader's {@code seq}, in order
     * @param ended   whether the log holds the terminal event (the reader is done once it has read it)
     */
    record Batch(List<Entry> entries, boolean ended) {
        public Batch {
            entries = List.copyOf(entries);
        }
    }
}
