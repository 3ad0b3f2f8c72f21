package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama.Reply;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client that stops reading cannot make the server buffer without bound: it is dropped. */
class SlowClientIT {
    private final ServerFixture f = new ServerFixture(env -> {
        env.put("CHATSTREAM_SLOW_CLIENT_SECONDS", "2");
        return env;
    });

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldDropAClientThatStopsReadingAndCloseTheUpstream() throws Exception {
        String piece = "x".repeat(1_000);
        Reply reply = Reply.stream();
        for (int i = 0; i < 20_000; i++) { // 20 MB of reply, far beyond any socket buffer
            reply = reply.token(piece);
        }
        f.ollama.enqueue(reply.done());

        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4_096);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", f.server.port()));
            byte[] body = "{\"message\": \"Olá\"}".getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/chat/stream/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + f.anaToken
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            // ...and never read.

            assertThat(f.ollama.awaitClientDisconnect(Duration.ofSeconds(30)))
                    .as("the server gave up on the client and closed the upstream").isTrue();
        }
        String metrics = f.send(f.get("metrics", null)).body();
        double relayed = Double.parseDouble(metrics.replaceAll("(?s).*\nchatstream_tokens_relayed_total ([0-9.E]+)\n.*", "$1"));
        System.out.println("slow client dropped after " + (long) relayed + " of 20000 chunks (1 kB each) were written");
        assertThat(f.awaitOpenStreams(0)).isZero();
        assertThat(relayed).as("writes blocked once the buffers were full: the server held a bounded amount")
                .isLessThan(5_000);
    }
}
