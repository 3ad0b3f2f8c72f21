package dev.chatstream.http;

import dev.chatstream.core.Cancellation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Notices, within about a second, a client that closed its connection while nothing is written to it (a
 * model loading, a long silence): Grizzly does not watch a connection for reads while its response is
 * being produced, and a write to a closed peer may succeed once, so without this a client that left during
 * a model load was found only by the second heartbeat (30 s by default) and Ollama kept working for it.
 * Every second the stream's socket is read without blocking: -1 (end of stream) or an error means the client
 * is gone. An event-stream client sends nothing while it reads; if one does, its byte is consumed and the
 * watch stops (pipelining behind an event stream is not supported).
 */
final class PeerWatch {
    static final Duration EVERY = Duration.ofSeconds(1);

    /** Whether the client closed its side; false when that cannot be known. */
    interface Peer {
        boolean closed();
    }

    private static final Peer UNKNOWN = () -> false;

    private final Object lock = new Object();
    private boolean stopped;
    private ScheduledFuture<?> task;

    static Peer peerOf(org.glassfish.grizzly.Connection<?> connection) {
        if (connection instanceof org.glassfish.grizzly.nio.transport.TCPNIOConnection tcp
                && tcp.getChannel() instanceof SocketChannel channel) {
            return new SocketPeer(channel);
        }
        return UNKNOWN;
    }

    /** Starts watching on {@code timers}; when the client is gone, cancels the stream (off the timer thread). */
    void start(ScheduledExecutorService timers, Peer peer, Cancellation cancellation) {
        if (peer == UNKNOWN) {
            return;
        }
        Runnable check = () -> {
            synchronized (lock) {
                if (stopped || !peer.closed()) {
                    return;
                }
                stopped = true;
            }
            Thread.startVirtualThread(() -> cancellation.cancel(StreamRunner.CLIENT_GONE));
        };
        synchronized (lock) {
            if (!stopped) {
                task = timers.scheduleWithFixedDelay(check, EVERY.toNanos(), EVERY.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    /** Stops watching; once this returns no read of the socket is under way or will start. */
    void stop() {
        synchronized (lock) {
            stopped = true;
            if (task != null) {
                task.cancel(false);
            }
        }
    }

    private static final class SocketPeer implements Peer {
        private final SocketChannel channel;
        private final ByteBuffer one = ByteBuffer.allocate(1);
        private boolean spoke;

        SocketPeer(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public boolean closed() {
            if (spoke || channel.isBlocking()) {
                return false; // a blocking read would hang the timer thread
            }
            try {
                one.clear();
                int read = channel.read(one);
                spoke = read > 0;
                return read < 0;
            } catch (IOException e) {
                return true; // reset by the peer, or already closed
            }
        }
    }
}
