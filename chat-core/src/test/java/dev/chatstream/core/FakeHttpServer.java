package dev.chatstream.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP/1.1 half of the fakes of upstream servers (an OpenAI-compatible server, ...): a real server on a random
 * loopback port, one virtual thread per connection, one exchange per connection ({@code Connection: close}), that
 * hands each request to a handler. A handler answers with a plain body or plays a {@link Script} of chunked writes,
 * pauses, stalls and resets, and an {@link Exchange} records when its client went away before the end, so that tests
 * can assert that cancellation reached the server.
 */
public final class FakeHttpServer implements AutoCloseable {
    /** Answers one request. */
    public interface Handler {
        void handle(Request request, Exchange exchange) throws IOException;
    }

    /**
     * One request as it arrived.
     *
     * @param headers lower-case names, first value
     */
    public record Request(String method, String path, Map<String, String> headers, String body) {
        /** The header's value, or empty. */
        public String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }
    }

    private final ServerSocket server;
    private final Handler handler;
    private final AtomicInteger open = new AtomicInteger();

    private FakeHttpServer(ServerSocket server, String name, Handler handler) {
        this.server = server;
        this.handler = handler;
        Thread.ofVirtual().name(name + "-accept").start(() -> acceptLoop(name));
    }

    /** Starts a server on a random loopback port; {@code name} names its threads. */
    public static FakeHttpServer start(String name, Handler handler) {
        return start(name, 0, handler);
    }

    /** Starts a server on this loopback port (0: a random one), e.g. where a refused backend comes back. */
    public static FakeHttpServer start(String name, int port, Handler handler) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2048);
            return new FakeHttpServer(socket, name, handler);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake " + name + " on port " + port, e);
        }
    }

    /** Where it listens, e.g. {@code http://127.0.0.1:40123}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** How many connections are open now. */
    public int openConnections() {
        return open.get();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** One connection's exchange: how to answer, and whether the client left early. */
    public static final class Exchange {
        private final Socket socket;
        private final OutputStream out;
        private final CountDownLatch clientGone = new CountDownLatch(1);
        private volatile boolean finished;
        private boolean watching;

        Exchange(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        /** Answers with a whole body and its length; {@code extraHeaders} are lines such as {@code Retry-After: 3}. */
        public void respond(int status, String contentType, String body, List<String> extraHeaders) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " Status\r\nContent-Type: " + contentType
                    + "\r\nContent-Length: " + bytes.length + "\r\n");
            extraHeaders.forEach(h -> head.append(h).append("\r\n"));
            out.write(head.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            finished = true;
        }

        /**
         * Plays {@code script} as a chunked 200 answer of {@code contentType}, watching for the client leaving.
         * Headers go out with the first write (or at once when the script says so); a stall holds the connection
         * until the client leaves (at most 2 min).
         */
        public void play(Script script, String contentType) throws IOException {
            startWatching();
            boolean headersSent = false;
            if (script.headersFirst) {
                streamHeaders(contentType);
                headersSent = true;
            }
            boolean first = true;
            for (Script.Step step : script.steps) {
                if (clientGone.getCount() == 0) {
                    return;
                }
                switch (step) {
                    case Script.Step.Write w -> {
                        if (!first && !script.gap.isZero() && await(clientGone, script.gap)) {
                            return;
                        }
                        first = false;
                        if (!headersSent) {
                            streamHeaders(contentType);
                            headersSent = true;
                        }
                        out.write((Integer.toHexString(w.bytes().length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(w.bytes());
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                    case Script.Step.Pause p -> {
                        if (await(clientGone, p.duration())) {
                            return;
                        }
                    }
                    case Script.Step.Stall s -> {
                        await(clientGone, Duration.ofMinutes(2));
                        return;
                    }
                    case Script.Step.Reset r -> {
                        finished = true;
                        socket.setSoLinger(true, 0);
                        socket.close();
                        return;
                    }
                }
            }
            if (!headersSent) {
                streamHeaders(contentType);
            }
            finished = true;
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Whether the client closed the connection before the answer was over, waiting up to {@code timeout}. */
        public boolean awaitClientGone(Duration timeout) {
            return await(clientGone, timeout);
        }

        private void streamHeaders(String contentType) throws IOException {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        private void startWatching() throws IOException {
            if (watching) {
                return;
            }
            watching = true;
            InputStream in = socket.getInputStream();
            Thread.ofVirtual().start(() -> {
                try {
                    while (in.read() >= 0) {
                        // an HTTP/1.1 client sends nothing more during a response
                    }
                } catch (IOException e) {
                    // reset or closed: gone either way
                }
                if (!finished) {
                    clientGone.countDown();
                }
            });
        }
    }

    /** What a streamed answer writes: pieces of bytes, pauses, a stall or a reset, with optional pacing. */
    public static final class Script {
        sealed interface Step {
            record Write(byte[] bytes) implements Step {
            }

            record Pause(Duration duration) implements Step {
            }

            record Stall() implements Step {
            }

            record Reset() implements Step {
            }
        }

        private final List<Step> steps = new ArrayList<>();
        private boolean headersFirst;
        private Duration gap = Duration.ZERO;

        /** Writes {@code text} as one chunk. */
        public Script write(String text) {
            steps.add(new Step.Write(text.getBytes(StandardCharsets.UTF_8)));
            return this;
        }

        /** Writes {@code text} cut at these byte offsets, each piece flushed on its own, 3 ms apart. */
        public Script splitAt(String text, int... offsets) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            int from = 0;
            for (int offset : offsets) {
                steps.add(new Step.Write(java.util.Arrays.copyOfRange(bytes, from, offset)));
                steps.add(new Step.Pause(Duration.ofMillis(3)));
                from = offset;
            }
            steps.add(new Step.Write(java.util.Arrays.copyOfRange(bytes, from, bytes.length)));
            return this;
        }

        public Script pause(Duration duration) {
            steps.add(new Step.Pause(duration));
            return this;
        }

        /** Sends nothing more until the client goes away. */
        public Script stall() {
            steps.add(new Step.Stall());
            return this;
        }

        /** Drops the connection with a TCP reset. */
        public Script reset() {
            steps.add(new Step.Reset());
            return this;
        }

        /** Sends the headers at once instead of with the first write. */
        public Script headersFirst() {
            headersFirst = true;
            return this;
        }

        /** Waits this long before each write after the first. */
        public Script paced(Duration between) {
            gap = between;
            return this;
        }
    }

    private void acceptLoop(String name) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                open.incrementAndGet();
                Thread.ofVirtual().name(name + "-conn").start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.putIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).strip());
                }
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            handler.handle(new Request(requestLine[0], requestLine[1], Map.copyOf(headers), body), new Exchange(socket));
        } catch (IOException e) {
            // the client went away; an exchange that watched records it
        } finally {
            open.decrementAndGet();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static boolean await(CountDownLatch latch, Duration timeout) {
        try {
            return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** {@code text} as a JSON string literal. */
    public static String json(String text) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
