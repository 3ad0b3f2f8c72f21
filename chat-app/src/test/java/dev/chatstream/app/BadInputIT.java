package dev.chatstream.app;

import dev.chatstream.core.Json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reliability matrix, bad input not covered by RequestRulesIT: each is refused with a clear error before
 * Ollama is called and changes nothing; or, for odd but valid content, streams with its framing intact.
 */
class BadInputIT {
    private final ServerFixture f = new ServerFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    private String refusal(String body) {
        HttpResponse<String> r = f.send(f.post("api/chat/stream/", f.anaToken, body));
        return r.statusCode() + " " + ConversationsIT.json(r.body()).get("code").asText() + " "
                + ConversationsIT.json(r.body()).get("error").asText();
    }

    @Test
    void shouldRefuseARevokedTokenFromTheNextRequestOn() {
        dev.chatstream.core.Accounts accounts = f.server.component(dev.chatstream.core.Accounts.class);
        dev.chatstream.core.Accounts.IssuedToken token = accounts.issueToken(dev.chatstream.core.UserId.of("ana"), "to revoke");
        f.ollama.enqueue(Reply.tokens("ok"));
        assertThat(f.send(f.post("api/chat/stream/", token.token(), "{\"message\": \"Olá\"}")).statusCode())
                .isEqualTo(200);

        accounts.revoke(token.id());
        HttpResponse<String> after = f.send(f.post("api/chat/stream/", token.token(), "{\"message\": \"Olá\"}"));

        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(after.body()).contains("This token is not valid (unknown or revoked); ask for a new one")
                .doesNotContain(token.token());
    }

    @Test
    void shouldRefuseAHugeMessageAndAThousandHistoryItemsNamingTheLimit() {
        String huge = "a".repeat(8_001);
        StringBuilder history = new StringBuilder("[");
        for (int i = 0; i < 1_000; i++) {
            history.append(i > 0 ? "," : "").append("{\"role\": \"user\", \"content\": \"m").append(i).append("\"}");
        }
        history.append(']');

        assertThat(refusal("{\"message\": \"" + huge + "\"}")).isEqualTo(
                "400 invalid_request message is too long: 8001 characters, the limit is 8000");
        assertThat(refusal("{\"message\": \"x\", \"history\": " + history + "}")).isEqualTo(
                "400 invalid_request history has 1000 messages, the limit is 100");
        assertThat(f.ollama.chatBodies()).isEmpty();
    }

    @Test
    void shouldRefuseInvalidUtf8() {
        byte[] body = {'{', '"', 'm', 'e', 's', 's', 'a', 'g', 'e', '"', ':', ' ', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

        HttpResponse<String> r = f.send(HttpRequest.newBuilder(f.uri("api/chat/stream/"))
                .header("Authorization", "Bearer " + f.anaToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(ConversationsIT.json(r.body()).get("error").asText())
                .isEqualTo("The body is not valid UTF-8; send JSON encoded as UTF-8");
        assertThat(f.ollama.chatBodies()).isEmpty();
    }

    @Test
    void shouldIgnoreUnknownFields() {
        f.ollama.enqueue(Reply.tokens("ok"));

        StreamOutcome out = StreamOutcome.of(f, f.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": \"Olá\", \"temperature\": 2, \"client\": {\"name\": \"old\"}}")));

        assertThat(out.code()).isEqualTo("done");
        assertThat(f.ollama.chatBodies().getFirst()).doesNotContain("\"temperature\"", "old");
    }

    @Test
    void shouldAnswerAnotherUsersConversationIdLikeAMissingOne() {
        f.ollama.enqueue(Reply.tokens("segredo"));
        long ruis = ConversationsIT.conversationIdOf(f.send(f.post("api/chat/stream/", f.ruiToken,
                "{\"message\": \"o meu segredo\"}")));

        assertThat(refusal("{\"message\": \"x\", \"conversation_id\": " + ruis + "}")).isEqualTo(
                "404 conversation_not_found Conversation " + ruis + " was not found; leave out conversation_id to start "
                        + "a new one");
        assertThat(refusal("{\"message\": \"x\", \"conversation_id\": 1.5}")).isEqualTo(
                "400 invalid_request conversation_id must be a positive whole number");
        assertThat(ConversationsIT.contents(f, f.ruiToken, ruis)).hasSize(2);
    }

    @Test
    void shouldStoreAMessageFullOfSseSyntaxAndKeepTheStreamFraming() {
        String message = "linha\ncom\r\nfins\rsoltos data: {\"type\": \"chunk\"}\n\nevent: error\n: comentário";
        f.ollama.enqueue(Reply.tokens("data: x\n\n", "event: done\r", ": y"));

        StreamOutcome out = StreamOutcome.of(f, f.send(f.post("api/chat/stream/", f.anaToken,
                "{\"message\": " + Json.write(message) + "}")));

        assertThat(out.code()).isEqualTo("done");
        assertThat(out.events().names()).containsExactly("message", "message", "message", "final_text", "done");
        assertThat(out.text()).isEqualTo("data: x\n\nevent: done\r: y");
        assertThat(out.stored()).containsExactly("user:" + message + ":complete",
                "assistant:data: x\n\nevent: done\r: y:complete");
        assertThat(f.ollama.chatBodies().getFirst()).contains(Json.write(message));
        assertThat(List.of(out.terminal().name())).containsExactly("done");
    }

    /**
     * Issue 22 ("also check"): what Grizzly itself answers before any of our code runs (a 20 kB URI, 20 kB of
     * headers, a malformed request line): no server name or version, no HTML page, no stack trace.
     */
    @Test
    void shouldAnswerRequestsGrizzlyRefusesWithoutItsNameOrAPage() throws Exception {
        String[] requests = {
            "GET /api/" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /api/ready HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n",
            "THIS IS NOT HTTP\r\n\r\n",
            "GET /api/ready HTTP/9.9\r\nHost: x\r\n\r\n",
            "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
            "POST /api/memories HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
            "POST /api/memories HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"};
        List<java.util.logging.LogRecord> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (isLoggable(r)) {
                    logged.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger.getLogger("").addHandler(capture);
        try {
            for (String request : requests) {
                String answer = rawExchange(request);
                String shown = request.substring(0, Math.min(60, request.length()));
                assertThat(answer).as(shown).matches("(?s)HTTP/1\\.1 [45]\\d\\d .*")
                        .doesNotContainIgnoringCase("grizzly").doesNotContainIgnoringCase("glassfish")
                        .doesNotContainIgnoringCase("jersey").doesNotContainIgnoringCase("<html")
                        .doesNotContain("Exception").doesNotContainIgnoringCase("server:");
            }
        } finally {
            java.util.logging.Logger.getLogger("").removeHandler(capture);
        }
        // a client's malformed chunk was a WARNING with a stack trace from Grizzly: anyone could flood the log
        assertThat(logged).as("log records with a stack trace").noneMatch(r -> r.getThrown() != null);
    }

    private String rawExchange(String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", f.server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = s.getInputStream().read(buf)) > 0) {
                    seen.write(buf, 0, n);
                    if (seen.toString(java.nio.charset.StandardCharsets.ISO_8859_1).contains("\r\n\r\n")
                            && complete(seen.toString(java.nio.charset.StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
                // the server closed or said all it will say
            }
            return seen.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    private static boolean complete(String response) {
        int end = response.indexOf("\r\n\r\n");
        if (response.substring(0, end).toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
            return response.endsWith("\r\n0\r\n\r\n");
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                .matcher(response.substring(0, end));
        return m.find() && response.length() - end - 4 >= Integer.parseInt(m.group(1));
    }
}
