package dev.chatstream.core;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * A one-way switch that stops a stream from any thread: the client left, the user pressed Stop, a timeout
 * fired, or the server shuts down. Whoever does the work registers a callback with {@link #onCancel}
 * that aborts it at once (an LLM adapter closes its upstream HTTP request there), so cancelling never
 * waits for the next token.
 *
 * <p>Thread-safe. {@link #cancel} runs each callback exactly once, on the cancelling thread; a callback
 * registered after cancellation runs at once on the registering thread. A callback that throws is
 * logged and does not stop the others.
 */
public final class Cancellation {
    private static final System.Logger LOG = System.getLogger(Cancellation.class.getName());

    private final List<Runnable> callbacks = new ArrayList<>();
    private String reason = "";
    private ErrorCode code = ErrorCode.CANCELLED;
    private boolean cancelled;

    /** A cancellation that has not fired. */
    public Cancellation() {
    }

    /** Cancelled or not, the handle to remove a callback that is no longer needed. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        /** Removes the callback; it will not run. Idempotent. */
        @Override
        void close();
    }

    /**
     * Fires, if it has not fired yet, and runs the callbacks.
     *
     * @param why why, for the error event and the logs, e.g. "The client went away"
     * @return whether this call fired it (false when it had already fired)
     */
    public boolean cancel(String why) {
        return cancel(ErrorCode.CANCELLED, why);
    }

    /**
     * Fires with the error code the stream's terminal event should carry, e.g. {@link ErrorCode#TIMEOUT}
     * when a deadline stopped it or {@link ErrorCode#SERVER_SHUTDOWN}.
     *
     * @return whether this call fired it (false when it had already fired; the first code and reason stay)
     */
    public boolean cancel(ErrorCode why, String message) {
        Checks.notNull(why, "why");
        Checks.notNull(message, "message");
        List<Runnable> toRun;
        synchronized (this) {
            if (cancelled) {
                return false;
            }
            cancelled = true;
            reason = message;
            code = why;
            toRun = List.copyOf(callbacks);
            callbacks.clear();
        }
        toRun.forEach(Cancellation::runQuietly);
        return true;
    }

    /** Whether it has fired. */
    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /** The code for the terminal event: {@link ErrorCode#CANCELLED} unless it fired with another. */
    public synchronized ErrorCode code() {
        return code;
    }

    /** Why it fired; empty if it has not. */
    public synchronized String reason() {
        return reason;
    }

    /** Throws {@link StreamCancelledException} with the reason if it has fired. */
    public void throwIfCancelled() {
        synchronized (this) {
            if (!cancelled) {
                return;
            }
        }
        throw new StreamCancelledException(reason());
    }

    /**
     * Registers a callback to run when this fires; runs it at once if it already has.
     *
     * @return a handle that removes the callback
     */
    public Registration onCancel(Runnable callback) {
        Checks.notNull(callback, "callback");
        synchronized (this) {
            if (!cancelled) {
                callbacks.add(callback);
                return () -> {
                    synchronized (this) {
                        callbacks.remove(callback);
                    }
                };
            }
        }
        runQuietly(callback);
        return () -> { };
    }

    private static void runQuietly(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "A cancellation callback failed", e);
        }
    }
}
