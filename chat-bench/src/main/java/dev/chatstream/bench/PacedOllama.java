package dev.chatstream.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fast fake Ollama for load: answers {@code POST /api/chat} as Ollama does (NDJSON lines over chunked encoding,
 * the headers sent with the first line, so a "loading" model shows nothing at all), with a configurable number
 * of tokens, pacing and first-token delay, on keep-alive connections. Every line is encoded once, up front; each
 * connection costs one virtual thread reading (which notices at once when the caller closes); one thread paces
 * and writes every reply's lines.
 *
 * <p>Each request is tagged by the {@code bench-N} it contains; {@link #closedAt(int)} says when the caller
 * closed the connection in the middle of that reply ({@link System#nanoTime()}), so a driver in the same process
 * can measure how fast a client's disconnect reached the upstream.
 */
final class PacedOllama implements AutoCloseable {
    /**
     * How replies look.
     *
     * @param cutAfter   faults: drop the connection after this many lines (0: never), as a crashed Ollama does
     * @param status     faults: answer with this HTTP status and Ollama's {@code {"error": ...}} body instead of a
     *                   stream (0: 200 and the stream), e.g. 503 for a busy server
     */
    record Script(int tokens, Duration gap, Duration firstTokenDelay, int cutAfter, int status) {
        Script(int tokens, Duration gap, Duration firstTokenDelay) {
            this(tokens, gap, firstTokenDelay, 0, 0);
        }
    }

    private static final byte[] HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final String SMALL_OK = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s";

    private final ServerSocket server;
    private final Pacer pacer = new Pacer();
    private final Map<Integer, Long> closedAt = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong chats = new java.util.concurrent.atomic.AtomicLong();
    private volatile Script script = new Script(100, Duration.ofMillis(20), Duration.ZERO);
    private volatile byte[][] lines = encode(100);

    PacedOllama() throws IOException {
        server = new ServerSocket(0, 8192, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon(true).name("paced-ollama-accept").start(this::accept);
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    void script(Script s) {
        this.lines = encode(s.tokens());
        this.script = s;
    }

    /** When the caller closed the connection during the reply to {@code bench-tag}, or null. */
    Long closedAt(int tag) {
        return closedAt.get(tag);
    }

    /** How many {@code /api/chat} requests it was sent. */
    long requests() {
        return chats.get();
    }

    void forget() {
        closedAt.clear();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Reads requests on one connection; a reply is written by its own thread so that EOF is seen at once. */
    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream(), 4096);
            OutputStream out = socket.getOutputStream();
            Exchange current = null;
            for (;;) {
                Request r = Request.read(in);
                if (r == null) { // the caller closed the connection
                    if (current != null && !current.finished) {
                        closedAt.put(current.tag, System.nanoTime());
                        current.stop = true;
                    }
                    return;
                }
                if (current != null) {
                    current.await();
                }
                if (r.method().equals("GET")) {
                    String body = r.path().startsWith("/api/tags")
                            ? "{\"models\":[{\"name\":\"llama3.2:latest\",\"model\":\"llama3.2:latest\",\"size\":1}]}"
                            : "{\"version\":\"0.12.3\"}";
                    synchronized (out) {
                        out.write(SMALL_OK.formatted(body.length(), body).getBytes(StandardCharsets.US_ASCII));
                    }
                    continue;
                }
                Script now = script;
                if (now.status() != 0) {
                    String body = "{\"error\":\"server busy, please try again. maximum pending requests exceeded\"}";
                    synchronized (out) {
                        out.write(("HTTP/1.1 " + now.status() + " Error\r\nContent-Type: application/json\r\n"
                                + "Content-Length: " + body.length() + "\r\n\r\n" + body)
                                .getBytes(StandardCharsets.US_ASCII));
                    }
                    continue;
                }
                if (r.path().startsWith("/api/chat")) {
                    chats.incrementAndGet();
                }
                Exchange e = new Exchange(tag(r.body()), out, now, lines, socket);
                current = e;
                pacer.add(e, System.nanoTime() + script.firstTokenDelay().toNanos());
            }
        } catch (IOException e) {
            // connection reset: nothing to serve
        }
    }

    private static int tag(String body) {
        int i = body.indexOf("bench-");
        if (i < 0) {
            return -1;
        }
        int end = i + 6;
        while (end < body.length() && Character.isDigit(body.charAt(end))) {
            end++;
        }
        return end > i + 6 ? Integer.parseInt(body.substring(i + 6, end)) : -1;
    }

    private final class Exchange {
        final int tag;
        final OutputStream out;
        final Script s;
        final byte[][] encoded;
        final Socket socket;
        volatile boolean stop;
        volatile boolean finished;

        Exchange(int tag, OutputStream out, Script s, byte[][] encoded, Socket socket) {
            this.tag = tag;
            this.out = out;
            this.s = s;
            this.encoded = encoded;
            this.socket = socket;
        }

        private int next;

        /** Writes the next line; returns when the one after is due, or 0 when this reply is over. */
        long writeNext(long due) {
            if (stop) {
                finish();
                return 0;
            }
            try {
                synchronized (out) {
                    if (next == 0) {
                        out.write(HEAD);
                    }
                    out.write(encoded[next]);
                }
            } catch (IOException e) {
                stop = true;
            }
            next++;
            if (s.cutAfter() > 0 && next >= s.cutAfter() && !stop) {
                stop = true;
                try {
                    socket.setSoLinger(true, 0); // a reset, as when the process dies
                    socket.close();
                } catch (IOException ignored) {
                    // it is gone either way
                }
            }
            if (stop || next >= encoded.length) {
                finish();
                return 0;
            }
            return due + s.gap().toNanos();
        }

        private void finish() {
            finished = true;
            synchronized (this) {
                notifyAll();
            }
        }

        synchronized void await() {
            while (!finished) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * One platform thread writes every due line of every reply, in time order: one timer wake-up serves all the
     * lines due at that moment, instead of a timed park per line per reply (which cost the driver ~100 µs per
     * token at 64 streams, two thirds of the server's own cost then; ~60 µs with this thread).
     */
    private static final class Pacer {
        private record Due(long at, long seq, Exchange exchange) {
        }

        private final java.util.PriorityQueue<Due> queue = new java.util.PriorityQueue<>(
                java.util.Comparator.comparingLong(Due::at).thenComparingLong(Due::seq));
        private long seq;

        Pacer() {
            Thread.ofPlatform().daemon(true).name("paced-ollama-pacer").start(this::loop);
        }

        synchronized void add(Exchange e, long at) {
            queue.add(new Due(at, seq++, e));
            notifyAll();
        }

        private void loop() {
            for (;;) {
                Due d;
                synchronized (this) {
                    while (queue.isEmpty()) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    d = queue.peek();
                    long wait = d.at() - System.nanoTime();
                    if (wait > 0) {
                        try {
                            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, wait);
                        } catch (InterruptedException e) {
                            return;
                        }
                        continue;
                    }
                    queue.poll();
                }
                long next = d.exchange().writeNext(d.at());
                if (next != 0) {
                    add(d.exchange(), next);
                }
            }
        }
    }

    /** Token lines, then the done line and the chunked end, each framed as one chunk. */
    private static byte[][] encode(int tokens) {
        byte[][] out = new byte[tokens + 1][];
        for (int i = 0; i < tokens; i++) {
            out[i] = chunk("{\"model\":\"llama3.2\",\"created_at\":\"2026-11-24T10:00:00.000000Z\",\"message\":"
                    + "{\"role\":\"assistant\",\"content\":\"" + WORDS[i % WORDS.length] + " \"},\"done\":false}\n", false);
        }
        out[tokens] = chunk("{\"model\":\"llama3.2\",\"created_at\":\"2026-11-24T10:00:02.000000Z\",\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"total_duration\":"
                + "2000000000,\"load_duration\":1000000,\"prompt_eval_count\":42,\"prompt_eval_duration\":10000000,"
                + "\"eval_count\":" + tokens + ",\"eval_duration\":2000000000}\n", true);
        return out;
    }

    private static byte[] chunk(String line, boolean last) {
        byte[] data = line.getBytes(StandardCharsets.UTF_8);
        String head = Integer.toHexString(data.length) + "\r\n";
        String tail = last ? "\r\n0\r\n\r\n" : "\r\n";
        byte[] out = new byte[head.length() + data.length + tail.length()];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, out, 0, head.length());
        System.arraycopy(data, 0, out, head.length(), data.length);
        System.arraycopy(tail.getBytes(StandardCharsets.US_ASCII), 0, out, head.length() + data.length, tail.length());
        return out;
    }

    private static final String[] WORDS = ("Claro, vou ver isso já. A luz da sala está ligada e o ar condicionado está "
            + "a 22 graus. Queres que mude alguma coisa? Também posso lembrar-te amanhã de manhã.").split(" ");

    /** One HTTP/1.1 request with a Content-Length body (what the JDK client and the driver send). */
    record Request(String method, String path, String body) {
        static Request read(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder(256);
            int c;
            int state = 0; // counts \r\n\r\n
            while ((c = in.read()) >= 0) {
                head.append((char) c);
                state = switch (state) {
                    case 0, 2 -> c == '\r' ? state + 1 : 0;
                    case 1, 3 -> c == '\n' ? state + 1 : (c == '\r' ? 1 : 0);
                    default -> 0;
                };
                if (state == 4) {
                    break;
                }
            }
            if (c < 0) {
                return null;
            }
            String h = head.toString();
            int sp = h.indexOf(' ');
            String method = h.substring(0, sp);
            String path = h.substring(sp + 1, h.indexOf(' ', sp + 1));
            int length = 0;
            for (String line : h.split("\r\n")) {
                if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(line.substring(15).strip());
                }
            }
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                return null;
            }
            return new Request(method, path, new String(body, StandardCharsets.UTF_8));
        }
    }
}
