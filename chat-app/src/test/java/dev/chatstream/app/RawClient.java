package dev.chatstream.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 client on a bare socket, for what a browser does that a library hides: reading a stream
 * partway and then vanishing, or not reading at all. Collects the raw bytes (chunked framing included).
 */
final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    static RawClient post(ServerFixture f, String token, String json) {
        try {
            Socket s = new Socket("127.0.0.1", f.server.port());
            s.setSoTimeout(30_000);
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/chat/stream/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return new RawClient(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends a POST to {@code path} announcing {@code contentLength} body bytes but only {@code firstPart} of them;
     * the rest follows through {@link #send}, or never.
     */
    static RawClient partial(ServerFixture f, String path, String token, int contentLength, String firstPart) {
        try {
            Socket s = new Socket("127.0.0.1", f.server.port());
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + contentLength + "\r\n\r\n" + firstPart)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new RawClient(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends more of the request. */
    void send(String more) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(more.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads until the bytes seen so far contain {@code marker}; fails after 30 s. */
    String readUntil(String marker) {
        byte[] buf = new byte[8192];
        try {
            while (!text().contains(marker)) {
                int n = in.read(buf);
                if (n < 0) {
                    throw new AssertionError("stream ended before \"" + marker + "\": " + text());
                }
                seen.write(buf, 0, n);
            }
            return text();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no \"" + marker + "\" within 30 s: " + text(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String text() {
        return seen.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // gone either way
        }
    }
}
