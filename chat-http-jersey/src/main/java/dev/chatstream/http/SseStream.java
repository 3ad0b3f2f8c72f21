package dev.chatstream.http;

import dev.chatstream.core.SseCodec;
import dev.chatstream.core.ChatEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client's event stream: frames each event of a turn as its {@link Wire} says (chatstream's own: {@link SseCodec}
 * with the id {@code <turn_id>:<seq>}), writes and flushes it at once. Heartbeats come from another thread; a lock keeps frames whole. The first failed write marks the
 * stream broken: from then on every send returns {@code false}, which tells the use case the client has
 * gone. Writes block for at most the server's slow-client timeout (Grizzly's write timeout), so a client
 * that stops reading holds a bounded buffer and is then dropped.
 */
final class SseStream implements Heartbeat.Beat {
    private static final System.Logger LOG = System.getLogger(SseStream.class.getName());

    /** What the stream reports as it goes, for metrics and the access log. */
    interface Observer {
        void chunkWritten(boolean first);

        void terminal(ChatEvent event);
    }

    private final OutputStream out;
    private final String requestId;
    private final Wire wire;
    private final Observer observer;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean firstChunk = true;
    private volatile long lastWrite = System.nanoTime();
    private volatile boolean broken;

    SseStream(OutputStream out, String requestId, Wire wire, Observer observer) {
        this.out = out;
        this.requestId = requestId;
        this.wire = wire;
        this.observer = observer;
    }

    /** Sends the opening comment, which commits the headers so the client sees the stream at once. */
    boolean open() {
        lock.lock();
        try {
            return write(wire.open());
        } finally {
            lock.unlock();
        }
    }

    /** Writes the turn's event number {@code seq}; false once the client is gone. */
    boolean send(long seq, ChatEvent event) {
        lock.lock();
        try {
            if (broken) {
                return false;
            }
            byte[] bytes = wire.event(seq, event);
            boolean ok = bytes.length == 0 || write(bytes);
            if (ok && event instanceof ChatEvent.Chunk) {
                observer.chunkWritten(firstChunk);
                firstChunk = false;
            }
            if (event.terminal()) {
                observer.terminal(event);
            }
            return ok;
        } finally {
            lock.unlock();
        }
    }

    /** Nanos of {@link System#nanoTime()} at the last write. */
    @Override
    public long lastWrite() {
        return lastWrite;
    }

    /**
     * Writes {@code : ping} unless something else is being written right now (which keeps the connection
     * alive just as well).
     *
     * @return false when the client is gone
     */
    @Override
    public boolean ping() {
        if (!lock.tryLock()) {
            return !broken;
        }
        try {
            byte[] ping = wire.ping();
            return !broken && (ping.length == 0 || write(ping)); // a protocol without comments has no keep-alive
        } finally {
            lock.unlock();
        }
    }

    boolean broken() {
        return broken;
    }

    private boolean write(byte[] bytes) {
        if (broken) {
            return false;
        }
        try {
            out.write(bytes);
            out.flush();
            lastWrite = System.nanoTime();
            return true;
        } catch (IOException | RuntimeException e) {
            broken = true;
            LOG.log(System.Logger.Level.INFO, () -> "request_id=" + requestId + " closing the stream: the client "
                    + "left or stopped reading (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
            return false;
        }
    }
}
