package dev.chatstream.http;

import dev.chatstream.core.Cancellation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The server's one detector of clients that leave: it notices at once a client that closes its connection while its
 * stream runs, whether or not anything is being written (a model loading, a long silence, or between two tokens):
 * Grizzly does not watch a connection for reads while its response is being produced, and a write to a closed peer
 * may succeed once. Each stream's socket is also registered for reads with one selector (a channel may be registered
 * with several selectors), on one platform thread for the whole server; when a socket becomes readable it is read
 * without blocking: -1 (end of stream) or an error means the client is gone, and the stream is cancelled, which
 * closes its upstream request. No polling: an idle stream costs nothing. An event-stream client sends nothing while
 * it reads; if one does, its byte is consumed and the watch stops (pipelining behind an event stream is not
 * supported). {@link #close} stops the thread. Thread-safe.
 */
final class PeerWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PeerWatch.class.getName());

    private final ConcurrentLinkedQueue<Watch> pending = new ConcurrentLinkedQueue<>();
    private final Selector selector;
    private final Thread thread;
    private volatile boolean closed;

    PeerWatch() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open a selector to watch clients", e);
        }
        thread = Thread.ofPlatform().daemon(true).name("chatstream-peer-watch").start(this::loop);
    }

    /** The socket of a Grizzly connection, or {@link Peer#UNKNOWN} when it has none to watch. */
    static Peer peerOf(org.glassfish.grizzly.Connection<?> connection) {
        if (connection instanceof org.glassfish.grizzly.nio.transport.TCPNIOConnection tcp
                && tcp.getChannel() instanceof SocketChannel channel) {
            return Peer.of(channel);
        }
        return Peer.UNKNOWN;
    }

    /**
     * Watches {@code peer} until the returned watch is closed; when the client is gone, cancels {@code cancellation}
     * with {@link Stream#CLIENT_GONE} on the watcher's thread, so its callbacks must not block.
     */
    Watch watch(Peer peer, Cancellation cancellation) {
        Watch w = new Watch(peer, cancellation);
        if (peer != Peer.UNKNOWN && !closed) {
            pending.add(w);
            selector.wakeup();
        }
        return w;
    }

    /** Stops watching every stream and ends the watcher's thread. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try {
            while (!closed) {
                try {
                    selector.select();
                    int retry = 0;
                    for (int n = pending.size(); n > 0; n--) {
                        Watch w = pending.poll();
                        if (w != null && !w.register(selector)) {
                            pending.add(w);
                            retry++;
                        }
                    }
                    if (retry > 0) {
                        selector.selectNow(); // deregisters the cancelled keys in the way
                        selector.wakeup();
                    }
                    for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                        SelectionKey k = it.next();
                        it.remove();
                        if (k.isValid()) {
                            ((Watch) k.attachment()).readable();
                        }
                    }
                } catch (ClosedSelectorException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "Watching clients for closed connections failed once; "
                            + "going on", e);
                }
            }
        } finally {
            try {
                selector.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "Closing the client watcher's selector: " + e);
            }
        }
    }

    /** One stream's watch; {@link #close} stops it (once it returns, no read of the socket is under way or starts). */
    final class Watch implements AutoCloseable {
        private final Object lock = new Object();
        private final Peer peer;
        private final Cancellation cancellation;
        private boolean stopped;
        private SelectionKey key;

        private Watch(Peer peer, Cancellation cancellation) {
            this.peer = peer;
            this.cancellation = cancellation;
        }

        @Override
        public void close() {
            synchronized (lock) {
                stopped = true;
                if (key != null) {
                    key.cancel();
                    selector.wakeup(); // deregister soon: a closed channel is freed once no selector holds it
                }
            }
        }

        /** On the watcher's thread: registers, unless stopped meanwhile. False to try again after the next select. */
        private boolean register(Selector on) {
            synchronized (lock) {
                if (stopped) {
                    return true;
                }
                try {
                    key = peer.channel.register(on, SelectionKey.OP_READ, this);
                } catch (CancelledKeyException e) {
                    return false; // this channel's key from an earlier stream is not deregistered yet
                } catch (ClosedChannelException | IllegalBlockingModeException e) {
                    stop();
                    Thread.startVirtualThread(this::cancelled); // under the lock here: off this thread
                }
                return true;
            }
        }

        /** On the watcher's thread: the socket is readable. */
        private void readable() {
            boolean left;
            synchronized (lock) {
                if (stopped) {
                    return;
                }
                left = peer.closed();
                if (left) {
                    stop();
                } else if (peer.spoke) {
                    stopped = true; // it sent something: stop reading its socket, leave the rest to Grizzly
                    key.cancel();
                }
            }
            if (left) {
                cancelled();
            }
        }

        private void stop() {
            stopped = true;
            if (key != null) {
                key.cancel();
            }
        }

        /**
         * Cancels the stream on the watcher's own thread, outside the watch's lock: what that runs only flags and
         * closes sockets (the attachment leaves the turn, which closes its upstream request), and doing it here
         * rather than on a new virtual thread closes Ollama's request without waiting for a carrier thread, which,
         * with every stream's turn and reader runnable, could take tens of milliseconds.
         */
        private void cancelled() {
            try {
                cancellation.cancel(Stream.CLIENT_GONE);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Stopping a stream whose client left failed", e);
            }
        }
    }

    /** One client's socket, read one byte at a time without blocking; {@link #UNKNOWN} when there is none to read. */
    static final class Peer {
        static final Peer UNKNOWN = new Peer(null);

        private final SocketChannel channel;
        private final ByteBuffer one = ByteBuffer.allocate(1);
        private boolean spoke;

        private Peer(SocketChannel channel) {
            this.channel = channel;
        }

        /** A non-blocking socket to watch. */
        static Peer of(SocketChannel channel) {
            return new Peer(java.util.Objects.requireNonNull(channel, "channel"));
        }

        /** Whether the client closed its side (or reset): false while it is there, or when that cannot be known. */
        boolean closed() {
            if (channel == null || spoke || channel.isBlocking()) {
                return false; // a blocking read would hang the watcher
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
