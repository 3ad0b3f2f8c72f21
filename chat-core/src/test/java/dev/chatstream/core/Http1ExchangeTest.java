package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The streaming transport against a server that writes exactly the bytes given, in the pieces given. */
class Http1ExchangeTest {
    private static final String HOLD = "(hold)";

    /** Serves one connection: reads the request head and body, then writes {@code pieces} with small pauses. */
    private static CompletableFuture<String> serve(ServerSocket server, List<String> pieces) {
        return CompletableFuture.supplyAsync(() -> {
            try (server; Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) in.read());
                }
                int length = Integer.parseInt(head.toString().replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
                String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                OutputStream out = s.getOutputStream();
                for (String p : pieces) {
                    if (p.equals(HOLD)) {
                        in.read(); // keep the connection open until the client closes it
                        continue;
                    }
                    out.write(p.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(5);
                }
                return head + body;
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldDecodeChunksSplitAnywhereWithExtensionsAndTrailers() throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        CompletableFuture<String> request = serve(server, List.of("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n",
                "Transfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5;ext=1\r", "\nhel", "lo\r\n", "8\r\n, wörld\r\n",
                "0\r\nTrailer: x\r\n\r\n"));
        Http1Exchange exchange = new Http1Exchange(URI.create("http://127.0.0.1:" + server.getLocalPort()
                + "/ollama/api/chat?x=1"), Duration.ofSeconds(5));

        Http1Exchange.Response r = exchange.post("{\"a\":1}".getBytes(StandardCharsets.UTF_8), "application/x-ndjson");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("X-a")).contains("1");
        assertThat(exchange.receiving()).isTrue();
        assertThat(readAll(r.body())).isEqualTo("hello, wörld");
        String sent = request.get(5, TimeUnit.SECONDS);
        assertThat(sent).startsWith("POST /ollama/api/chat?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + server.getLocalPort())
                .contains("Content-Length: 7\r\n", "Connection: close\r\n", "Accept: application/x-ndjson\r\n")
                .endsWith("\r\n\r\n{\"a\":1}");
    }

    @Test
    void shouldReadABodyOfKnownLengthAndReportOneCutShort() throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        serve(server, List.of("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nContent-Type: application/json\r\n\r\n",
                "{\"e\":\"x\"}"));
        Http1Exchange.Response r = new Http1Exchange(URI.create("http://127.0.0.1:" + server.getLocalPort()),
                Duration.ofSeconds(5)).post(new byte[0], "*/*");
        assertThat(r.status()).isEqualTo(404);
        assertThat(readAll(r.body())).isEqualTo("{\"e\":\"x\"}");

        ServerSocket cut = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        serve(cut, List.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly part"));
        Http1Exchange.Response c = new Http1Exchange(URI.create("http://127.0.0.1:" + cut.getLocalPort()),
                Duration.ofSeconds(5)).post(new byte[0], "*/*");
        assertThatThrownBy(() -> readAll(c.body())).isInstanceOf(java.io.EOFException.class)
                .hasMessage("The connection closed in the middle of a chunk");
    }

    @Test
    void shouldEndABlockedReadWhenAborted() throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        serve(server, List.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", HOLD)); // then silence
        Http1Exchange exchange = new Http1Exchange(URI.create("http://127.0.0.1:" + server.getLocalPort()),
                Duration.ofSeconds(5));
        Http1Exchange.Response r = exchange.post(new byte[0], "*/*");
        CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
            try {
                r.body().read(new byte[10]);
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        Thread.sleep(50);
        exchange.abort();
        assertThat(reader.get(5, TimeUnit.SECONDS)).as("the read ended with an error").isInstanceOf(IOException.class);
    }

    @Test
    void shouldRefuseWhatIsNotHttp() throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        serve(server, List.of("SSH-2.0-OpenSSH_9.2\r\n"));
        assertThatThrownBy(() -> new Http1Exchange(URI.create("http://127.0.0.1:" + server.getLocalPort()),
                Duration.ofSeconds(5)).post(new byte[0], "*/*")).isInstanceOf(IOException.class)
                .hasMessage("Not an HTTP/1.x answer: SSH-2.0-OpenSSH_9.2");
    }
}
