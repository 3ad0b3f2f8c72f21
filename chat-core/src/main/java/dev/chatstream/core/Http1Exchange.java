package dev.chatstream.core;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One streaming {@code POST} over its own blocking socket, read on the caller's (virtual) thread: the request goes
 * out in one write, the answer's status and headers are parsed, and the body is handed over as an
 * {@link InputStream} that undoes chunked encoding. No selector thread and no hand-off per line, which is what
 * the JDK HttpClient costs for every token (see docs/performance.md). {@code Connection: close}: one exchange per
 * connection, so nothing is ever reused in an unknown state. {@link #abort()} from any thread closes the socket,
 * which ends a blocked read at once. http and https.
 *
 * <p>Shared by the adapters that stream from an HTTP upstream (Ollama's NDJSON, OpenAI-compatible SSE), so that
 * each gets the same cancellation and the same costs. One instance is one exchange; {@link #abort()} is the only
 * method safe from another thread.
 */
public final class Http1Exchange {
    private static final int MAX_HEAD_BYTES = 64 * 1024;

    /** Status, headers (lower-case names, first value) and the body. */
    public record Response(int status, Map<String, String> headers, InputStream body) {
        /** The first value of header {@code name} (any case). */
        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    private final URI url;
    private final Duration connectTimeout;
    private Socket socket;
    private boolean aborted;
    private volatile boolean receiving;

    /** An exchange with {@code url} (http or https) that waits at most {@code connectTimeout} to connect. */
    public Http1Exchange(URI url, Duration connectTimeout) {
        this.url = Checks.notNull(url, "url");
        this.connectTimeout = Checks.notNull(connectTimeout, "connectTimeout");
    }

    /** Sends {@code body} as JSON and returns once the answer's headers arrived. */
    public Response post(byte[] body, String accept) throws IOException {
        return post(body, accept, Map.of());
    }

    /**
     * Sends {@code body} as JSON with extra request headers (such as {@code Authorization}; their values are never
     * part of an exception's message) and returns once the answer's headers arrived.
     *
     * @throws java.util.concurrent.CancellationException when {@link #abort()} came first
     * @throws IOException when connecting, sending or reading the head fails
     */
    public Response post(byte[] body, String accept, Map<String, String> headers) throws IOException {
        StringBuilder extra = new StringBuilder();
        headers.forEach((name, value) -> {
            if (!name.matches("[A-Za-z0-9-]+") || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("Bad request header " + name);
            }
            extra.append(name).append(": ").append(value).append("\r\n");
        });
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() >= 0 ? url.getPort() : tls ? 443 : 80;
        Socket s = new Socket();
        synchronized (this) {
            if (aborted) {
                throw new CancellationException();
            }
            socket = s;
        }
        s.setTcpNoDelay(true);
        try {
            s.connect(new InetSocketAddress(url.getHost(), port), (int) Math.max(1, connectTimeout.toMillis()));
        } catch (SocketTimeoutException e) {
            HttpConnectTimeoutException t = new HttpConnectTimeoutException("connect timed out");
            t.initCause(e);
            throw t;
        }
        if (tls) {
            SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                    .createSocket(s, url.getHost(), port, true);
            SSLParameters p = ssl.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(p);
            synchronized (this) {
                socket = ssl;
                if (aborted) {
                    ssl.close();
                    throw new CancellationException();
                }
            }
            ssl.startHandshake();
            s = ssl;
        }
        String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        String host = url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "");
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: chatstream\r\n"
                + "Content-Type: application/json\r\nAccept: " + accept + "\r\nContent-Length: " + body.length
                + "\r\n" + extra + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        OutputStream out = s.getOutputStream();
        out.write(request);
        out.flush();
        InputStream in = new BufferedInputStream(s.getInputStream(), 2048); // the head; bodies read around it
        for (;;) {
            Response r = readHead(in);
            if (r.status() >= 200) {
                receiving = true;
                return r;
            }
            // 1xx: an interim answer; the real one follows
        }
    }

    /** Whether the answer's headers arrived (so a failure now broke a reply, rather than a request). */
    public boolean receiving() {
        return receiving;
    }

    /** Closes the connection; a read blocked on it ends at once. Safe from any thread, any number of times. */
    public void abort() {
        Socket s;
        synchronized (this) {
            aborted = true;
            s = socket;
        }
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing is how we abort; nothing more to do
            }
        }
    }

    private static Response readHead(InputStream in) throws IOException {
        String statusLine = line(in, new int[] {MAX_HEAD_BYTES});
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new IOException("Not an HTTP/1.x answer: " + clip(statusLine));
        }
        int status;
        try {
            status = Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("Not an HTTP status line: " + clip(statusLine));
        }
        Map<String, String> headers = new HashMap<>();
        int[] budget = {MAX_HEAD_BYTES};
        for (String h = line(in, budget); !h.isEmpty(); h = line(in, budget)) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
            }
        }
        InputStream body;
        String te = headers.getOrDefault("transfer-encoding", "");
        if (te.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = new Chunked(in);
        } else if (headers.containsKey("content-length")) {
            long length;
            try {
                length = Long.parseLong(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new IOException("Bad Content-Length: " + clip(headers.get("content-length")));
            }
            body = new Bounded(in, length);
        } else {
            body = in; // until the connection closes
        }
        return new Response(status, Map.copyOf(headers), body);
    }

    /** One CRLF- (or LF-) ended line of the head, as ISO-8859-1. */
    private static String line(InputStream in, int[] budget) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        for (;;) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("The connection closed before the answer's headers were complete");
            }
            if (--budget[0] < 0) {
                throw new IOException("The answer's headers are longer than " + MAX_HEAD_BYTES + " bytes");
            }
            if (c == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') {
                    sb.setLength(n - 1);
                }
                return sb.toString();
            }
            sb.append((char) c);
        }
    }

    private static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    /** A body of known length. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("The connection closed " + left + " bytes before the end of the answer");
            }
            left -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * A chunked body (RFC 9112 §7.1): sizes in hex, extensions and trailers skipped. Reads through its own buffer
     * and parses size lines in place (no per-byte calls), as this runs once per token.
     */
    private static final class Chunked extends InputStream {
        private final InputStream in;
        private final byte[] buf = new byte[4096];
        private int pos;
        private int end;
        private long left; // of the current chunk
        private boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                left = nextSize();
                if (left == 0) {
                    while (!nextLine(MAX_HEAD_BYTES).isEmpty()) {
                        // trailers: nothing we use
                    }
                    done = true;
                    return -1;
                }
            }
            if (pos == end && !fill()) {
                throw new EOFException("The connection closed in the middle of a chunk");
            }
            int n = (int) Math.min(Math.min(len, left), end - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            left -= n;
            if (left == 0 && !nextLine(2).isEmpty()) {
                throw new IOException("A chunk did not end with CRLF");
            }
            return n;
        }

        private long nextSize() throws IOException {
            String size = nextLine(1024);
            int semi = size.indexOf(';');
            String hex = (semi < 0 ? size : size.substring(0, semi)).strip();
            try {
                long n = Long.parseLong(hex, 16);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IOException("Bad chunk size: " + clip(size));
            }
        }

        /** The next line without its CRLF (or LF), at most {@code max} bytes with the line end. */
        private String nextLine(int max) throws IOException {
            StringBuilder sb = null;
            int used = 0;
            for (;;) {
                if (pos == end && !fill()) {
                    throw new EOFException("The connection closed in the middle of a chunked body");
                }
                int i = pos;
                while (i < end && buf[i] != '\n') {
                    i++;
                }
                used += i - pos + (i < end ? 1 : 0);
                if (used > max) {
                    throw new IOException("A chunk size line or trailer is longer than " + max + " bytes");
                }
                if (i < end) { // found the line end
                    int stop = i;
                    String line;
                    if (sb == null) {
                        if (stop > pos && buf[stop - 1] == '\r') {
                            stop--;
                        }
                        line = new String(buf, pos, stop - pos, StandardCharsets.ISO_8859_1);
                    } else {
                        sb.append(new String(buf, pos, stop - pos, StandardCharsets.ISO_8859_1));
                        int n = sb.length();
                        if (n > 0 && sb.charAt(n - 1) == '\r') {
                            sb.setLength(n - 1);
                        }
                        line = sb.toString();
                    }
                    pos = i + 1;
                    return line;
                }
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1));
                pos = end;
            }
        }

        private boolean fill() throws IOException {
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            end = n;
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
