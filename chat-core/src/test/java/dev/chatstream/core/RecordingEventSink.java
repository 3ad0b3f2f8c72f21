package dev.chatstream.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A fake {@link EventSink} that records every event it is offered (phases apart, {@link #phases}). It can play a consumer that goes away
 * after some events ({@link #goneAfter}) or a sink that throws ({@link #throwingAfter}); offered events are
 * recorded either way, so a test can check that nothing but the terminal event followed.
 *
 * <p>Thread-safe; {@link #awaitTerminal} lets a test wait for a stream running on another thread.
 */
public final class RecordingEventSink implements EventSink {
    private enum Mode { OPEN, GONE, THROWING }

    private final Mode mode;
    private final int acceptBefore;
    private final List<ChatEvent> offered = new ArrayList<>();
    private final List<ChatEvent.Phase> phases = new ArrayList<>();

    private RecordingEventSink(Mode mode, int acceptBefore) {
        this.mode = mode;
        this.acceptBefore = acceptBefore;
    }

    /** A sink whose consumer stays. */
    public RecordingEventSink() {
        this(Mode.OPEN, Integer.MAX_VALUE);
    }

    /** A sink whose consumer goes away once {@code events} events were delivered. */
    public static RecordingEventSink goneAfter(int events) {
        return new RecordingEventSink(Mode.GONE, events);
    }

    /** A sink that throws from the send after {@code events} events. */
    public static RecordingEventSink throwingAfter(int events) {
        return new RecordingEventSink(Mode.THROWING, events);
    }

    @Override
    public synchronized boolean send(ChatEvent event) {
        if (event instanceof ChatEvent.Phase p) { // announcements, kept apart: events() is what the reply says
            phases.add(p);
            return mode != Mode.GONE || offered.size() < acceptBefore;
        }
        offered.add(event);
        notifyAll();
        if (offered.size() <= acceptBefore) {
            return true;
        }
        if (mode == Mode.THROWING) {
            throw new IllegalStateException("recording sink told to throw");
        }
        return false;
    }

    /** Every phase announced ({@link ChatEvent.Phase}), in order; {@link #events} leaves them out. */
    public synchronized List<ChatEvent.Phase> phases() {
        return List.copyOf(phases);
    }

    /** Every event offered, in order, but for phases. */
    public synchronized List<ChatEvent> events() {
        return List.copyOf(offered);
    }

    /** The text of all chunks, joined. */
    public synchronized String text() {
        StringBuilder sb = new StringBuilder();
        for (ChatEvent e : offered) {
            if (e instanceof ChatEvent.Chunk c) {
                sb.append(c.content());
            }
        }
        return sb.toString();
    }

    /** The chunks' contents, one per chunk. */
    public synchronized List<String> chunks() {
        List<String> chunks = new ArrayList<>();
        for (ChatEvent e : offered) {
            if (e instanceof ChatEvent.Chunk c) {
                chunks.add(c.content());
            }
        }
        return chunks;
    }

    /** The terminal events offered (a correct stream offers exactly one). */
    public synchronized List<ChatEvent> terminals() {
        return offered.stream().filter(ChatEvent::terminal).toList();
    }

    /** The one terminal event; fails if there is not exactly one. */
    public synchronized ChatEvent terminal() {
        List<ChatEvent> terminals = terminals();
        if (terminals.size() != 1) {
            throw new AssertionError("expected exactly one terminal event, got " + terminals + " in " + offered);
        }
        return terminals.get(0);
    }

    /** Waits until a terminal event was offered. */
    public synchronized boolean awaitTerminal(Duration timeout) {
        return awaitUntil(() -> offered.stream().anyMatch(ChatEvent::terminal), timeout);
    }

    /** Waits until at least {@code count} events were offered. */
    public synchronized boolean awaitEvents(int count, Duration timeout) {
        return awaitUntil(() -> offered.size() >= count, timeout);
    }

    private boolean awaitUntil(java.util.function.BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
