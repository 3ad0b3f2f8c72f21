package dev.chatstream.http;

import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ErrorCode;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every stream in flight, so a shutdown can end each one with {@code server_shutdown} and wait for them.
 * Thread-safe.
 */
final class OpenStreams {
    private final Set<Cancellation> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    /** Adds a stream; false once shutting down (the caller refuses the request). */
    boolean add(Cancellation stream) {
        if (closing) {
            return false;
        }
        open.add(stream);
        if (closing) { // shutdown began between the check and the add
            stream.cancel(ErrorCode.SERVER_SHUTDOWN, SHUTDOWN_MESSAGE);
        }
        return true;
    }

    void remove(Cancellation stream) {
        open.remove(stream);
    }

    boolean closing() {
        return closing;
    }

    int size() {
        return open.size();
    }

    static final String SHUTDOWN_MESSAGE = "The server is shutting down; send your message again in a moment";

    /** Refuses new streams from now on; the open ones go on (a node that drains before it stops). */
    void drain() {
        closing = true;
    }

    /** Refuses new streams, ends every open one, and waits up to {@code grace} for them to finish. */
    void shutdown(Duration grace) throws InterruptedException {
        closing = true;
        open.forEach(c -> c.cancel(ErrorCode.SERVER_SHUTDOWN, SHUTDOWN_MESSAGE));
        long deadline = System.nanoTime() + grace.toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
