package dev.chatstream.ollama;

import dev.chatstream.core.FakeHttpServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake Ollama: a real HTTP/1.1 server on a random loopback port that replays scripted {@code /api/chat}
 * replies as Ollama does (see {@code shared/ollama-protocol.md}): NDJSON over chunked transfer encoding, headers
 * sent with the first line, error statuses with {@code {"error": ...}} bodies, error lines under 200. It can
 * split lines at chosen byte offsets, stall, and drop the connection; and it records when its client
 * disconnects, so tests can assert that cancellation really reached the server.
 *
 * <p>Every connection is served on its own virtual thread and closed after one exchange ({@link FakeHttpServer}).
 */
public final class FakeOllama implements AutoCloseable {
    private final FakeHttpServer http;
    private final ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final List<String> chatBodies = new CopyOnWriteArrayList<>();
    private final List<FakeHttpServer.Exchange> exchanges = new CopyOnWriteArrayList<>();
    private volatile String tagsJson = "{\"models\":[{\"name\":\"llama3.2:latest\",\"model\":\"llama3.2:latest\"}]}";
    private volatile String versionJson = "{\"version\":\"0.12.3\"}";
    private volatile String showParameters = "stop                           \"<|eot_id|>\"";
    private volatile long trainedContext = 131_072;
    private final AtomicInteger showRequests = new AtomicInteger();
    private final AtomicInteger psRequests = new AtomicInteger();
    private volatile boolean cold;

    private FakeOllama(int port) {
        this.http = FakeHttpServer.start("fake-ollama", port, this::serve);
    }

    /** Starts a fake on a random loopback port. */
    public static FakeOllama start() {
        return new FakeOllama(0);
    }

    /** Starts a fake on this loopback port, e.g. where a backend that refused connections comes back. */
    public static FakeOllama startOn(int port) {
        return new FakeOllama(port);
    }

    /** Where it listens, e.g. {@code http://127.0.0.1:40123}. */
    public URI baseUrl() {
        return http.baseUrl();
    }

    /** Queues the reply to the next {@code /api/chat} request. Requests with no reply queued get a 500. */
    public FakeOllama enqueue(Reply reply) {
        replies.add(reply);
        return this;
    }

    /** Sets the installed models' names for {@code /api/tags}. */
    public FakeOllama models(String... names) {
        StringBuilder sb = new StringBuilder("{\"models\":[");
        for (int i = 0; i < names.length; i++) {
            sb.append(i > 0 ? "," : "").append("{\"name\":\"").append(names[i]).append("\",\"size\":1}");
        }
        tagsJson = sb.append("]}").toString();
        return this;
    }

    /**
     * Sets what {@code POST /api/show} says of every installed model: its Modelfile {@code parameters} as Ollama
     * prints them (one {@code name value} per line, e.g. {@code num_ctx 8192}) and the context it was trained
     * for ({@code model_info["llama.context_length"]}), as ollama/ollama {@code server/routes.go} ShowHandler does.
     */
    public FakeOllama show(String parameters, long trainedContextLength) {
        this.showParameters = parameters;
        this.trainedContext = trainedContextLength;
        return this;
    }

    /**
     * Whether no model is loaded: {@code GET /api/ps} lists none (the default lists every installed model, as an
     * Ollama that answered recently does). Ollama's shape: {@code {"models": [{"name", "model", "size", "digest",
     * "details", "expires_at", "size_vram"}]}} (ollama/ollama {@code server/routes.go} PsHandler).
     */
    public FakeOllama cold(boolean none) {
        cold = none;
        return this;
    }

    /** How many {@code /api/ps} requests arrived. */
    public int psRequests() {
        return psRequests.get();
    }

    /** How many {@code /api/show} requests arrived. */
    public int showRequests() {
        return showRequests.get();
    }

    /** Waits until {@code n} {@code /api/chat} requests have arrived in all; false when they did not in time. */
    public boolean awaitChatRequests(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (chatBodies.size() < n) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The bodies of the {@code /api/chat} requests received, in order. */
    public List<String> chatBodies() {
        return List.copyOf(chatBodies);
    }

    /** How many connections are open now. */
    public int openConnections() {
        return http.openConnections();
    }

    /** Whether the latest chat exchange's client closed the connection before the reply was over. */
    public boolean awaitClientDisconnect(Duration timeout) {
        FakeHttpServer.Exchange latest = latestChat(timeout);
        return latest != null && latest.awaitClientGone(timeout);
    }

    private FakeHttpServer.Exchange latestChat(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (exchanges.isEmpty() && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(5));
        }
        return exchanges.isEmpty() ? null : exchanges.get(exchanges.size() - 1);
    }

    @Override
    public void close() {
        http.close();
    }

    /** A scripted reply to one {@code /api/chat} request. */
    public static final class Reply {
        private final FakeHttpServer.Script script = new FakeHttpServer.Script();
        private int status = 200;
        private String errorBody = "";
        private String retryAfter = "";

        private Reply() {
        }

        /** A streamed reply (status 200); add lines with the other methods. */
        public static Reply stream() {
            return new Reply();
        }

        /** Token lines for these pieces, then a final {@code done} line: a normal reply. */
        public static Reply tokens(String... pieces) {
            Reply r = stream();
            for (String p : pieces) {
                r.token(p);
            }
            return r.done();
        }

        /** An error status with Ollama's JSON body {@code {"error": message}}. */
        public static Reply status(int status, String message) {
            Reply r = new Reply();
            r.status = status;
            r.errorBody = "{\"error\":" + json(message) + "}";
            return r;
        }

        /**
         * An error status with exactly this body, e.g. a cloud model's 401 {@code {"error": "unauthorized",
         * "signin_url": "..."}} (ollama/ollama {@code server/routes.go}). Ollama itself never sends
         * {@code Retry-After}; {@link #retryAfter} adds one as a proxy in front of it might.
         */
        public static Reply statusWithBody(int status, String body) {
            Reply r = new Reply();
            r.status = status;
            r.errorBody = body;
            return r;
        }

        /** Adds a {@code Retry-After} header (error replies). */
        public Reply retryAfter(String seconds) {
            retryAfter = seconds;
            return this;
        }

        /** Sends the headers at once instead of with the first line. */
        public Reply headersFirst() {
            script.headersFirst();
            return this;
        }

        /** Waits this long before each later write (token pacing). */
        public Reply paced(Duration between) {
            script.paced(between);
            return this;
        }

        /** A line with one text piece. */
        public Reply token(String text) {
            return line("{\"model\":\"llama3.2\",\"created_at\":\"2026-11-24T14:05:00.123456789Z\","
                    + "\"message\":{\"role\":\"assistant\",\"content\":" + json(text) + "},\"done\":false}");
        }

        /** A line with one piece of reasoning (content empty, as Ollama sends it). */
        public Reply thinking(String text) {
            return line("{\"model\":\"llama3.2\",\"created_at\":\"2026-11-24T14:05:00.123456789Z\","
                    + "\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":" + json(text)
                    + "},\"done\":false}");
        }

        /**
         * A line with one native tool call; {@code argumentsJson} is a JSON object. As ollama/ollama
         * {@code api/types.go} writes it: the call has an {@code id}, its function an {@code index}.
         */
        public Reply toolCall(String name, String argumentsJson) {
            return line("{\"model\":\"llama3.2\",\"created_at\":\"2026-11-24T14:05:00.123456789Z\","
                    + "\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[" + call(name, argumentsJson, 0)
                    + "]},\"done\":false}");
        }

        /**
         * The final line carrying the last text and a tool call, which Ollama can send in its {@code done: true}
         * line (ollama/ollama {@code server/routes.go} flushes pending tool calls with the final response).
         */
        public Reply doneWithToolCall(String text, String name, String argumentsJson) {
            return line(DONE_LINE.replace("\"content\":\"\"", "\"content\":" + json(text) + ",\"tool_calls\":["
                    + call(name, argumentsJson, 0) + "]"));
        }

        private static String call(String name, String argumentsJson, int index) {
            return "{\"id\":\"call_" + Integer.toHexString(name.hashCode()) + "\",\"function\":{\"index\":" + index
                    + ",\"name\":" + json(name) + ",\"arguments\":" + argumentsJson + "}}";
        }

        /**
         * The final line with another {@code done_reason}: {@code "length"} when {@code num_predict} or the context
         * ran out (ollama/ollama {@code llm/server.go}), {@code "load"} for an empty request.
         */
        public Reply doneBecause(String reason) {
            return line(DONE_LINE.replace("\"done_reason\":\"stop\"", "\"done_reason\":" + json(reason)));
        }

        /** The final line with Ollama's metrics. */
        public Reply done() {
            return line(DONE_LINE);
        }

        /** An {@code {"error": ...}} line under status 200, as Ollama sends after streaming started. */
        public Reply errorLine(String message) {
            return line("{\"error\":" + json(message) + "}");
        }

        /** A raw line; {@code \n} is added. */
        public Reply line(String text) {
            return raw(text + "\n");
        }

        /** Raw text, written as one chunk. */
        public Reply raw(String text) {
            script.write(text);
            return this;
        }

        /** Raw bytes cut at the given offsets, each piece written and flushed on its own. */
        public Reply splitAt(String text, int... offsets) {
            script.splitAt(text, offsets);
            return this;
        }

        /** A pause. */
        public Reply pause(Duration duration) {
            script.pause(duration);
            return this;
        }

        /** Sends nothing more until the client goes away. */
        public Reply stall() {
            script.stall();
            return this;
        }

        /** Drops the connection with a TCP reset. */
        public Reply reset() {
            script.reset();
            return this;
        }
    }

    /** The metrics line a real Ollama ends with. */
    static final String DONE_LINE = "{\"model\":\"llama3.2\",\"created_at\":\"2026-11-24T14:05:01.5Z\","
            + "\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":\"stop\",\"done\":true,"
            + "\"total_duration\":1500000000,\"load_duration\":200000000,\"prompt_eval_count\":42,"
            + "\"prompt_eval_duration\":300000000,\"eval_count\":20,\"eval_duration\":1000000000,"
            + "\"remote_model\":\"ignored\"}";

    static String json(String text) {
        return FakeHttpServer.json(text);
    }

    private void serve(FakeHttpServer.Request request, FakeHttpServer.Exchange exchange) throws IOException {
        String method = request.method();
        String path = request.path();
        String body = request.body();
        if (method.equals("GET") && path.equals("/api/tags")) {
            respond(exchange, 200, tagsJson, "");
        } else if (method.equals("GET") && path.equals("/api/ps")) {
            psRequests.incrementAndGet();
            respond(exchange, 200, cold ? "{\"models\":[]}" : tagsJson, ""); // every installed model is loaded
        } else if (method.equals("GET") && path.equals("/api/version")) {
            respond(exchange, 200, versionJson, "");
        } else if (method.equals("POST") && path.equals("/api/show")) {
            showRequests.incrementAndGet();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"(?:model|name)\"\\s*:\\s*\"([^\"]+)\"")
                    .matcher(body);
            String model = m.find() ? m.group(1) : "";
            String tag = model.contains(":") ? model : model + ":latest";
            if (!tagsJson.contains("\"" + tag + "\"") && !tagsJson.contains("\"" + model + "\"")) {
                respond(exchange, 404, "{\"error\":" + json("model '" + model + "' not found") + "}", "");
            } else {
                respond(exchange, 200, "{\"modelfile\":\"FROM " + model + "\",\"parameters\":" + json(showParameters)
                        + ",\"template\":\"\",\"details\":{\"family\":\"llama\"},\"model_info\":"
                        + "{\"general.architecture\":\"llama\",\"llama.context_length\":" + trainedContext
                        + "},\"capabilities\":[\"completion\",\"tools\"]}", "");
            }
        } else if (method.equals("POST") && path.equals("/api/chat")) {
            chatBodies.add(body);
            Reply reply = replies.poll();
            if (reply == null) {
                respond(exchange, 500, "{\"error\":\"fake Ollama: no reply scripted\"}", "");
            } else if (reply.status != 200) {
                exchanges.add(exchange);
                respond(exchange, reply.status, reply.errorBody, reply.retryAfter);
            } else {
                exchanges.add(exchange);
                exchange.play(reply.script, "application/x-ndjson");
            }
        } else {
            // gin's answer for a route nothing serves (ollama/ollama server/routes.go registers only /api/...
            // and /v1/...): plain text, unlike a missing model's JSON 404
            respond(exchange, 404, "404 page not found", "");
        }
    }

    private static void respond(FakeHttpServer.Exchange exchange, int status, String body, String retryAfter)
            throws IOException {
        String type = body.startsWith("{") ? "application/json; charset=utf-8" : "text/plain";
        exchange.respond(status, type, body, retryAfter.isEmpty() ? List.of() : List.of("Retry-After: " + retryAfter));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
