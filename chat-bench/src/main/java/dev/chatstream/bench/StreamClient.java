package dev.chatstream.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.SseCodec;
import dev.chatstream.core.SseReader;
import java.nio.charset.StandardCharsets;

/**
 * One streaming request over a raw socket, timed as cheaply as we can: the request is written in one go, the
 * answer read in 8 KiB blocks, chunked encoding and lines decoded in place, and only the moments that matter
 * ({@link System#nanoTime()}) are kept. Speaks to the server ({@code POST /api/chat/stream/}, SSE) or straight to
 * the fake Ollama ({@code POST /api/chat}, NDJSON), so the two can be compared in one run.
 */
final class StreamClient {
    /** Where to send and how to read. */
    enum Target { SERVER, DIRECT }

    /** What one stream saw. Times are nanoTime values; 0 when it did not happen. */
    static final class Result {
        long sent;
        long firstChunk;
        long lastChunk;
        int chunks;
        long[] gaps = new long[128];
        int gapCount;
        long[] pings = new long[8];
        int pingCount;
        long abortedAt;
        long opened; // when ": stream open" arrived
        long firstEvent; // when the first event (any name) arrived
        String outcome = "unfinished"; // done, error code, io error, http status
        int status;
        String turnId; // X-Turn-Id
        String lastEventId; // the id of the last event read
        long reattachSent; // reattached: when the GET with Last-Event-ID was written
        long reattachFirst; // and when its first event arrived
        int chunksAfterReattach;

        void gap(long nanos) {
            if (gapCount == gaps.length) {
                gaps = java.util.Arrays.copyOf(gaps, gaps.length * 2);
            }
            gaps[gapCount++] = nanos;
        }

        void ping(long at) {
            if (pingCount == pings.length) {
                pings = java.util.Arrays.copyOf(pings, pings.length * 2);
            }
            pings[pingCount++] = at;
        }

        boolean ok() {
            return outcome.equals("done") || (abortedAt != 0 && outcome.equals("aborted"));
        }
    }

    private final Target target;
    private final URI base;
    private final String token;
    private final boolean resumable;

    StreamClient(Target target, URI base, String token) {
        this(target, base, token, false);
    }

    /** With {@code resumable}, the server's turns outlive their connections ({@code "resumable": true}). */
    StreamClient(Target target, URI base, String token, boolean resumable) {
        this.target = target;
        this.base = base;
        this.token = token;
        this.resumable = resumable;
    }

    /**
     * A resumable stream that loses its connection after {@code cutAfterChunks} chunks and comes back {@code away}
     * later with {@code Last-Event-ID} ({@code GET /api/chat/turns/{id}/events}); the result holds both halves, the
     * reattach timed from its request written to its first event (one the turn made meanwhile: a replay, when
     * {@code away} is longer than the gap between tokens).
     */
    Result runWithReattach(int tag, int cutAfterChunks, java.time.Duration away) {
        Result r = run(tag, cutAfterChunks);
        try {
            Thread.sleep(away);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return r;
        }
        if (r.abortedAt == 0 || r.turnId == null || r.lastEventId == null) {
            if (r.abortedAt != 0) {
                r.outcome = "no turn id";
            }
            return r;
        }
        int before = r.chunks;
        Result again = new Result();
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            OutputStream out = socket.getOutputStream();
            String head = "GET /api/chat/turns/" + r.turnId + "/events HTTP/1.1\r\n"
                    + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
                    + "Authorization: Bearer " + token + "\r\n"
                    + "Accept: text/event-stream\r\nLast-Event-ID: " + r.lastEventId + "\r\nConnection: close\r\n\r\n";
            again.sent = System.nanoTime();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            read(socket, socket.getInputStream(), again, 0);
        } catch (IOException e) {
            again.outcome = "io: " + e.getClass().getSimpleName();
        }
        r.reattachSent = again.sent;
        r.reattachFirst = again.firstEvent;
        r.chunksAfterReattach = again.chunks;
        r.chunks = before + again.chunks;
        r.outcome = again.outcome;
        return r;
    }

    /**
     * Runs one stream for {@code tag}; with {@code abortAfterChunks > 0} closes the connection once that many
     * chunks arrived (the driver's Stop button).
     */
    Result run(int tag, int abortAfterChunks) {
        Result r = new Result();
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            OutputStream out = socket.getOutputStream();
            r.sent = System.nanoTime();
            out.write(request(tag));
            out.flush();
            read(socket, socket.getInputStream(), r, abortAfterChunks);
        } catch (IOException e) {
            if (r.abortedAt == 0) {
                r.outcome = "io: " + e.getClass().getSimpleName();
            }
        }
        return r;
    }

    private byte[] request(int tag) {
        String body = target == Target.SERVER
                ? "{\"message\": \"bench-" + tag + " Liga a luz da sala, por favor\""
                        + (resumable ? ", \"resumable\": true}" : "}")
                : "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"bench-" + tag
                        + " Liga a luz da sala, por favor\"}],\"stream\":true}";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + (target == Target.SERVER ? "/api/chat/stream/" : "/api/chat") + " HTTP/1.1\r\n"
                + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Content-Type: application/json\r\nAccept: text/event-stream\r\nConnection: close\r\n"
                + "Content-Length: " + b.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + b.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return all;
    }

    /** Decodes the response as it arrives: status, headers, chunked body, then lines. */
    private void read(Socket socket, InputStream in, Result r, int abortAfter) throws IOException {
        byte[] buf = new byte[8192];
        Lines lines = new Lines(r);
        int headerState = 0;
        StringBuilder statusLine = new StringBuilder();
        boolean inHeaders = true;
        boolean chunked = false;
        StringBuilder headers = new StringBuilder();
        // chunked decoding state
        long chunkLeft = -1; // -1: reading a size line
        StringBuilder sizeLine = new StringBuilder();
        int afterChunk = 0; // CRLF after data to skip
        int n;
        while ((n = in.read(buf)) > 0) {
            long now = System.nanoTime();
            int i = 0;
            if (inHeaders) {
                for (; i < n; i++) {
                    char c = (char) buf[i];
                    headers.append(c);
                    headerState = (c == '\r' || c == '\n') ? headerState + 1 : 0;
                    if (headerState == 4) {
                        i++;
                        inHeaders = false;
                        String h = headers.toString();
                        statusLine.append(h, 0, h.indexOf('\r'));
                        r.status = Integer.parseInt(statusLine.substring(9, 12));
                        String lower = h.toLowerCase(java.util.Locale.ROOT);
                        chunked = lower.contains("transfer-encoding: chunked");
                        int turn = lower.indexOf("\r\nx-turn-id: ");
                        if (turn >= 0) {
                            r.turnId = h.substring(turn + 13, h.indexOf('\r', turn + 13)).strip();
                        }
                        if (r.status != 200) {
                            r.outcome = "http " + r.status;
                            return;
                        }
                        break;
                    }
                }
            }
            while (i < n) {
                if (!chunked) {
                    lines.feed(buf, i, n - i, now);
                    i = n;
                } else if (afterChunk > 0) {
                    afterChunk--;
                    i++;
                } else if (chunkLeft < 0) {
                    char c = (char) buf[i++];
                    if (c == '\n') {
                        String size = sizeLine.toString().strip();
                        int semi = size.indexOf(';');
                        chunkLeft = Long.parseLong(semi < 0 ? size : size.substring(0, semi), 16);
                        sizeLine.setLength(0);
                        if (chunkLeft == 0) {
                            return; // end of body
                        }
                    } else if (c != '\r') {
                        sizeLine.append(c);
                    }
                } else {
                    int take = (int) Math.min(chunkLeft, n - i);
                    lines.feed(buf, i, take, now);
                    i += take;
                    chunkLeft -= take;
                    if (chunkLeft == 0) {
                        chunkLeft = -1;
                        afterChunk = 2;
                    }
                }
                if (lines.terminal) {
                    return;
                }
                if (abortAfter > 0 && r.chunks >= abortAfter && r.abortedAt == 0) {
                    r.abortedAt = System.nanoTime();
                    r.outcome = "aborted";
                    socket.close();
                    return;
                }
            }
        }
    }

    /**
     * Classifies the body as it arrives: for the server, with the wire codec ({@link SseReader} frames, comments for
     * the opening and the pings, {@link SseCodec} for an error's code); for Ollama, NDJSON lines.
     */
    private final class Lines {
        private final Result r;
        private final byte[] line = new byte[64 * 1024];
        private final SseReader sse;
        private int length;
        private long now;
        boolean terminal;

        Lines(Result r) {
            this.r = r;
            this.sse = new SseReader(this::event, this::comment);
        }

        void feed(byte[] b, int off, int len, long at) {
            now = at;
            if (target != Target.DIRECT) {
                sse.feed(java.nio.ByteBuffer.wrap(b, off, len));
                return;
            }
            for (int i = off; i < off + len; i++) {
                byte c = b[i];
                if (c == '\n') {
                    ndjsonLine();
                    length = 0;
                } else if (length < line.length) {
                    line[length++] = c;
                }
            }
        }

        private void comment(String text) {
            if (text.equals("ping")) {
                r.ping(now);
            } else if (text.equals("stream open")) {
                r.opened = now;
            }
        }

        private void event(String name, String id, String data) {
            if (r.firstEvent == 0) {
                r.firstEvent = now;
            }
            if (!id.isEmpty()) {
                r.lastEventId = id;
            }
            switch (name) {
                case "message" -> chunk(now);
                case "done" -> {
                    terminal = true;
                    r.outcome = "done";
                }
                case "error" -> {
                    terminal = true;
                    r.outcome = SseCodec.decode(name, data).map(e -> ((ChatEvent.Failed) e).code().code())
                            .orElse("error");
                }
                default -> {
                    // final_text, actions: not what the bench measures
                }
            }
        }

        private void ndjsonLine() {
            if (length == 0) {
                return;
            }
            if (contains("\"done\":true")) {
                terminal = true;
                r.outcome = "done";
            } else {
                chunk(now);
            }
        }

        private void chunk(long at) {
            if (r.chunks == 0) {
                r.firstChunk = at;
            } else {
                r.gap(at - r.lastChunk);
            }
            r.lastChunk = at;
            r.chunks++;
        }

        private boolean contains(String s) {
            outer:
            for (int i = 0; i + s.length() <= length; i++) {
                for (int j = 0; j < s.length(); j++) {
                    if (line[i + j] != s.charAt(j)) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }
}
