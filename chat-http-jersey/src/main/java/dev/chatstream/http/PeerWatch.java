package dev.chatstream.http;

import dev.chatstream.core.Cancellation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Notices at once a client that closes its connection while its stream runs, whether or not anything is being
 * written (a model loading, a long silence, or between two tokens): Grizzly does not watch a connection for
 * reads while its response is being produced, and a write to a closed peer may succeed once. Each stream's
 * socket is also registered for reads with one shared selector (a channel may be registered with several
 * selectors); when it becomes readable the socket is read without blocking: -1 (end of stream) or an error means
 * the client is gone, and the stream is cancelled, which closes its upstream request. No polling: an idle stream
 * costs nothing. An event-stream client sends nothing while it reads; if one does, its byte is consumed and the
 * watch stops (pipelining behind an event stream is not supported).
 */
final class PeerWatch {
    private static final Watcher WATCHER = new Watcher();

    private final Object lock = new Object();
    private boolean stopped;
    private Peer peer;
    private Cancellation cancellation;
    private SelectionKey key;

    static Peer peerOf(org.glassfish.grizzly.Connection<?> connection) {
        if (connection instanceof org.glassfish.grizzly.nio.transport.TCPNIOConnection tcp
                && tcp.getChannel() instanceof SocketChannel channel) {
            return new Peer(channel);
        }
        return Peer.UNKNOWN;
    }

    /** Starts watching; when the client is gone, cancels the stream (off the watcher's thread). */
    void start(Peer peer, Cancellation cancellation) {
        if (peer == Peer.UNKNOWN) {
            return;
        }
        synchronized (lock) {
            if (stopped) {
                return;
            }
            this.peer = peer;
            this.cancellation = cancellation;
        }
        WATCHER.add(this);
    }

    /** Stops watching; once this returns no read of the socket is under way or will start. */
    void stop() {
        synchronized (lock) {
            stopped = true;
            if (key != null) {
                key.cancel();
                WATCHER.wakeup(); // deregister soon: a closed channel is freed once no selector holds it
            }
        }
    }

    /** On the watcher's thread: registers, unless stopped meanwhile. False to try again after the next select. */
    private boolean register(Selector selector) {
        synchronized (lock) {
            if (stopped) {
                return true;
            }
            try {
                key = peer.channel.register(selector, SelectionKey.OP_READ, this);
            } catch (CancelledKeyException e) {
                return false; // this channel's key from an earlier stream is not deregistered yet
            } catch (ClosedChannelException | IllegalBlockingModeException e) {
                gone();
            }
            return true;
        }
    }

    /** On the watcher's thread: the socket is readable. */
    private void readable() {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            boolean closed = peer.closed();
            if (closed) {
                gone();
            } else if (peer.spoke) {
                stopped = true; // it sent something: stop reading its socket, leave the rest to Grizzly
                key.cancel();
            }
        }
    }

    private void gone() {
        stopped = true;
        if (key != null) {
            key.cancel();
        }
        Cancellation c = cancellation;
        Thread.startVirtualThread(() -> c.cancel(StreamRunner.CLIENT_GONE));
    }

    /** One platform thread and one selector for every open stream. */
    private static final class Watcher {
        private final ConcurrentLinkedQueue<PeerWatch> pending = new ConcurrentLinkedQueue<>();
        private final Selector selector;

        Watcher() {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot open a selector to watch clients", e);
            }
            Thread.ofPlatform().daemon(true).name("chatstream-peer-watch").start(this::loop);
        }

        void add(PeerWatch watch) {
            pending.add(watch);
            selector.wakeup();
        }

        void wakeup() {
            selector.wakeup();
        }

        private void loop() {
            for (;;) {
                try {
                    selector.select();
                    int retry = 0;
                    for (int n = pending.size(); n > 0; n--) {
                        PeerWatch w = pending.poll();
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
                            ((PeerWatch) k.attachment()).readable();
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    System.getLogger(PeerWatch.class.getName()).log(System.Logger.Level.WARNING,
                            "Watching clients for closed connections failed once; going on", e);
                }
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
