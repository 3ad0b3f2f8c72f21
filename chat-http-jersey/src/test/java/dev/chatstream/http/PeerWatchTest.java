package dev.chatstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.core.Cancellation;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one client-gone detector, on real loopback sockets: the server's side is watched, the client acts. */
class PeerWatchTest {
    private final PeerWatch watch = new PeerWatch();
    private final ServerSocketChannel listener;
    private final Socket client;
    private final SocketChannel server;

    PeerWatchTest() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        client = new Socket("127.0.0.1", listener.socket().getLocalPort());
        server = listener.accept();
        server.configureBlocking(false); // as Grizzly's channels are
    }

    @AfterEach
    void close() throws IOException {
        watch.close();
        client.close();
        server.close();
        listener.close();
    }

    private static CountDownLatch cancelled(Cancellation c) {
        CountDownLatch latch = new CountDownLatch(1);
        c.onCancel(latch::countDown);
        return latch;
    }

    @Test
    void shouldCancelAtOnceWhenTheClientCloses() throws Exception {
        Cancellation stream = new Cancellation();
        CountDownLatch gone = cancelled(stream);
        watch.watch(PeerWatch.Peer.of(server), stream);

        client.close();

        assertThat(gone.await(10, TimeUnit.SECONDS)).as("cancelled once the client's FIN arrived").isTrue();
        assertThat(stream.reason()).isEqualTo(Stream.CLIENT_GONE);
    }

    @Test
    void shouldNotCancelAClientThatStaysOrAWatchThatWasClosed() throws Exception {
        Cancellation staying = new Cancellation();
        watch.watch(PeerWatch.Peer.of(server), staying);
        Cancellation stopped = new Cancellation();
        SocketChannel other = SocketChannel.open(listener.getLocalAddress());
        SocketChannel otherServer = listener.accept();
        otherServer.configureBlocking(false);
        watch.watch(PeerWatch.Peer.of(otherServer), stopped).close();

        other.close(); // the closed watch's client leaves: nothing may happen
        Cancellation probe = new Cancellation(); // a third watch that does fire proves the watcher ran meanwhile
        CountDownLatch probed = cancelled(probe);
        SocketChannel third = SocketChannel.open(listener.getLocalAddress());
        SocketChannel thirdServer = listener.accept();
        thirdServer.configureBlocking(false);
        watch.watch(PeerWatch.Peer.of(thirdServer), probe);
        third.close();

        assertThat(probed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(staying.isCancelled()).isFalse();
        assertThat(stopped.isCancelled()).isFalse();
        otherServer.close();
        thirdServer.close();
    }

    /** Proves the watcher has handled everything already readable: a new watch whose client leaves fires. */
    private void awaitWatcherRound() throws Exception {
        Cancellation probe = new Cancellation();
        CountDownLatch probed = cancelled(probe);
        try (SocketChannel probeClient = SocketChannel.open(listener.getLocalAddress());
             SocketChannel probeServer = listener.accept()) {
            probeServer.configureBlocking(false);
            watch.watch(PeerWatch.Peer.of(probeServer), probe);
            probeClient.close();
            assertThat(probed.await(10, TimeUnit.SECONDS)).as("the watcher's round").isTrue();
        }
    }

    @Test
    void shouldStopWatchingAClientThatSpeaksRatherThanTakeItForGone() throws Exception {
        Cancellation stream = new Cancellation();
        watch.watch(PeerWatch.Peer.of(server), stream);

        client.getOutputStream().write('x'); // pipelining behind an event stream: not supported, never a cancel
        client.getOutputStream().flush();
        awaitWatcherRound(); // it has read the byte and stopped watching this socket
        client.close();
        awaitWatcherRound();

        assertThat(stream.isCancelled()).as("its end of stream is Grizzly's to see, not the watch's").isFalse();
    }
}
