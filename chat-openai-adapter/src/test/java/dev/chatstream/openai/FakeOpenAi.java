package dev.chatstream.openai;

import dev.chatstream.core.FakeHttpServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A fake OpenAI-compatible server: a real HTTP/1.1 server on a random loopback port that answers
 * {@code POST /v1/chat/completions} with scripted Server-Sent Events as the real servers do, in one of three
 * flavours whose differences are small but real:
 * <ul>
 *   <li>{@link Flavor#LLAMA_SERVER} (the default), after llama.cpp's {@code tools/server} ({@code server.cpp},
 *       {@code utils.hpp}, its README): a first chunk with {@code "delta": {"role": "assistant", "content": null}},
 *       one chunk per token, a finishing chunk with {@code "delta": {}}, with {@code include_usage} a last chunk with
 *       {@code "choices": []}, {@code usage} and its own {@code timings}; then {@code data: [DONE]}. An error after
 *       streaming began is an {@code error: {...}} line (its {@code server_sent_event(sink, "error", ...)}); 503
 *       {@code "Loading model"} while it loads; 401 {@code "Invalid API Key"} with {@code --api-key};
 *       {@code GET /props} tells the slot's context;</li>
 *   <li>{@link Flavor#VLLM}, after vLLM's OpenAI server ({@code vllm/entrypoints/openai}): the usage chunk with
 *       {@code "choices": null}... as the issue that asked for this adapter reports it, errors in the stream as
 *       {@code data: {"error": {...}}}, a missing model as 404 "The model `x` does not exist.", and
 *       {@code max_model_len} in {@code /v1/models};</li>
 *   <li>{@link Flavor#OPENAI}, after OpenAI's API reference (chat streaming, error codes): the usage chunk with
 *       {@code "choices": []}, errors {@code {"error": {"message", "type", "param", "code"}}} such as
 *       {@code model_not_found} and {@code invalid_api_key}.</li>
 * </ul>
 * The usage chunk goes out only when the request asked for it ({@code stream_options.include_usage}), as on the
 * real servers. With {@link #apiKey} set, every request without {@code Authorization: Bearer KEY} gets 401. It
 * records each chat request's body and headers, and whether its client disconnected before the end.
 */
public final class FakeOpenAi implements AutoCloseable {
    /** Which server's small differences to follow. */
    public enum Flavor { LLAMA_SERVER, VLLM, OPENAI }

    private final FakeHttpServer http;
    private final ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final List<FakeHttpServer.Request> chats = new CopyOnWriteArrayList<>();
    private final List<FakeHttpServer.Request> requests = new CopyOnWriteArrayList<>();
    private final List<FakeHttpServer.Exchange> exchanges = new CopyOnWriteArrayList<>();
    private volatile Flavor flavor = Flavor.LLAMA_SERVER;
    private volatile List<String> models = List.of("qwen2.5-7b-instruct");
    private volatile int context = 8192;
    private volatile String apiKey = "";

    private FakeOpenAi() {
        this.http = FakeHttpServer.start("fake-openai", this::handle);
    }

    /** Starts a fake llama-server on a random loopback port. */
    public static FakeOpenAi start() {
        return new FakeOpenAi();
    }

    /** The API base, as clients take it: {@code http://127.0.0.1:PORT/v1}. */
    public URI baseUrl() {
        return URI.create(http.baseUrl() + "/v1");
    }

    /** Follows another server's differences. */
    public FakeOpenAi flavor(Flavor value) {
        flavor = value;
        return this;
    }

    /** The models {@code /v1/models} lists; a chat for another one gets 404 (except on llama-server, which has one). */
    public FakeOpenAi models(String... ids) {
        models = List.of(ids);
        return this;
    }

    /** The context the server tells ({@code /props} on llama-server, {@code max_model_len} on vLLM). */
    public FakeOpenAi context(int tokens) {
        context = tokens;
        return this;
    }

    /** Requires {@code Authorization: Bearer key} on every request. */
    public FakeOpenAi apiKey(String key) {
        apiKey = key;
        return this;
    }

    /** Queues the answer to the next chat request; a request with none queued gets a 500. */
    public FakeOpenAi enqueue(Reply reply) {
        replies.add(reply);
        return this;
    }

    /** The chat requests received, in order. */
    public List<FakeHttpServer.Request> chats() {
        return List.copyOf(chats);
    }

    /** Every request received (models, props and chats), in order. */
    public List<FakeHttpServer.Request> requests() {
        return List.copyOf(requests);
    }

    /** Waits until {@code n} chat requests have arrived in all; false when they did not in time. */
    public boolean awaitChats(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (chats.size() < n) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(Duration.ofMillis(2));
        }
        return true;
    }

    /** Whether the latest chat's client closed the connection before the answer was over. */
    public boolean awaitClientDisconnect(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (exchanges.isEmpty() && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(5));
        }
        return !exchanges.isEmpty() && exchanges.get(exchanges.size() - 1).awaitClientGone(timeout);
    }

    /** How many connections are open now. */
    public int openConnections() {
        return http.openConnections();
    }

    @Override
    public void close() {
        http.close();
    }

    /** A scripted answer to one chat request. */
    public static final class Reply {
        private sealed interface Item {
            record Write(Consumer<FakeHttpServer.Script> write) implements Item {
            }

            record Usage(long prompt, long completion) implements Item {
            }

            record StreamError(String message) implements Item {
            }
        }

        private final List<Item> items = new ArrayList<>();
        private int status = 200;
        private String errorMessage = "";
        private String errorBody;
        private String retryAfter = "";
        private String contentType = "text/event-stream";
        private boolean headersFirst;
        private Duration gap = Duration.ZERO;

        private Reply() {
        }

        /** A streamed answer that begins with the role chunk; add the rest with the other methods. */
        public static Reply stream() {
            Reply r = new Reply();
            r.delta("{\"role\":\"assistant\",\"content\":null}", "null");
            return r;
        }

        /** A 200 answer with nothing in it yet (a server that accepted the request and has not begun). */
        public static Reply silent() {
            return new Reply();
        }

        /** A whole answer: these text pieces, finish {@code stop}, usage, {@code [DONE]}. */
        public static Reply tokens(String... pieces) {
            Reply r = stream();
            for (String p : pieces) {
                r.token(p);
            }
            return r.finish("stop").usage(31, pieces.length).done();
        }

        /** An error status with the flavour's JSON error for {@code message}. */
        public static Reply status(int status, String message) {
            Reply r = new Reply();
            r.status = status;
            r.errorMessage = message;
            return r;
        }

        /** An error status with exactly this body. */
        public static Reply statusWithBody(int status, String body) {
            Reply r = new Reply();
            r.status = status;
            r.errorBody = body;
            return r;
        }

        /** Adds a {@code Retry-After} header (error answers). */
        public Reply retryAfter(String seconds) {
            retryAfter = seconds;
            return this;
        }

        /** Answers 200 with another content type (a server that ignores {@code stream}). */
        public Reply contentType(String type) {
            contentType = type;
            return this;
        }

        /** A chunk with one piece of text. */
        public Reply token(String text) {
            return delta("{\"content\":" + FakeHttpServer.json(text) + "}", "null");
        }

        /** A chunk with one piece of reasoning ({@code reasoning_content}, as llama-server and vLLM send it). */
        public Reply reasoning(String text) {
            return delta("{\"reasoning_content\":" + FakeHttpServer.json(text) + "}", "null");
        }

        /**
         * A tool call streamed as OpenAI streams it: a first piece with its index, id, type and name and empty
         * arguments, then one piece per argument fragment with the index only.
         */
        public Reply toolCall(int index, String name, String... argumentFragments) {
            delta("{\"tool_calls\":[{\"index\":" + index + ",\"id\":\"call_" + index + name.length()
                    + "\",\"type\":\"function\",\"function\":{\"name\":" + FakeHttpServer.json(name)
                    + ",\"arguments\":\"\"}}]}", "null");
            for (String fragment : argumentFragments) {
                delta("{\"tool_calls\":[{\"index\":" + index + ",\"function\":{\"arguments\":"
                        + FakeHttpServer.json(fragment) + "}}]}", "null");
            }
            return this;
        }

        /** The finishing chunk: {@code "delta": {}} and a {@code finish_reason}. */
        public Reply finish(String reason) {
            return delta("{}", FakeHttpServer.json(reason));
        }

        /** The usage chunk (sent only when the request asked for it), in the flavour's shape. */
        public Reply usage(long promptTokens, long completion) {
            items.add(new Item.Usage(promptTokens, completion));
            return this;
        }

        /** {@code data: [DONE]}. */
        public Reply done() {
            return event("data: [DONE]");
        }

        /** An error after streaming began, in the flavour's shape. */
        public Reply errorInStream(String message) {
            items.add(new Item.StreamError(message));
            return this;
        }

        /** One SSE event of exactly these lines (a blank line is added). */
        public Reply event(String lines) {
            return raw(lines + "\n\n");
        }

        /** Raw text, written as one chunk. */
        public Reply raw(String text) {
            items.add(new Item.Write(s -> s.write(text)));
            return this;
        }

        /** Raw text cut at these byte offsets, each piece flushed on its own. */
        public Reply splitAt(String text, int... offsets) {
            items.add(new Item.Write(s -> s.splitAt(text, offsets)));
            return this;
        }

        public Reply pause(Duration duration) {
            items.add(new Item.Write(s -> s.pause(duration)));
            return this;
        }

        /** Sends nothing more until the client goes away. */
        public Reply stall() {
            items.add(new Item.Write(FakeHttpServer.Script::stall));
            return this;
        }

        /** Drops the connection with a TCP reset. */
        public Reply reset() {
            items.add(new Item.Write(FakeHttpServer.Script::reset));
            return this;
        }

        /** Sends the headers at once instead of with the first event. */
        public Reply headersFirst() {
            headersFirst = true;
            return this;
        }

        /** Waits this long before each write after the first (token pacing). */
        public Reply paced(Duration between) {
            gap = between;
            return this;
        }

        private Reply delta(String delta, String finishReason) {
            return event("data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1764590000,"
                    + "\"model\":\"qwen2.5-7b-instruct\",\"system_fingerprint\":\"b7100-fake\",\"choices\":[{\"index\":0,\"delta\":"
                    + delta + ",\"logprobs\":null,\"finish_reason\":" + finishReason + "}]}");
        }

        /** The script for a request that asked {@code includeUsage} of a {@code flavor} server. */
        FakeHttpServer.Script script(Flavor flavor, boolean includeUsage) {
            FakeHttpServer.Script script = new FakeHttpServer.Script().paced(gap);
            if (headersFirst) {
                script.headersFirst();
            }
            for (Item item : items) {
                switch (item) {
                    case Item.Write w -> w.write().accept(script);
                    case Item.Usage u -> {
                        if (includeUsage) {
                            script.write(usageEvent(flavor, u.prompt(), u.completion()));
                        }
                    }
                    case Item.StreamError e -> script.write(switch (flavor) {
                        case LLAMA_SERVER -> "error: {\"code\":500,\"message\":" + FakeHttpServer.json(e.message())
                                + ",\"type\":\"server_error\"}\n\n";
                        case VLLM, OPENAI -> "data: {\"error\":{\"message\":" + FakeHttpServer.json(e.message())
                                + ",\"type\":\"InternalServerError\",\"param\":null,\"code\":500}}\n\n";
                    });
                }
            }
            return script;
        }

        private static String usageEvent(Flavor flavor, long prompt, long completion) {
            String usage = "\"usage\":{\"completion_tokens\":" + completion + ",\"prompt_tokens\":" + prompt
                    + ",\"total_tokens\":" + (prompt + completion) + "}";
            return switch (flavor) {
                case LLAMA_SERVER -> "data: {\"choices\":[],\"created\":1764590001,\"id\":\"chatcmpl-fake\",\"model\":"
                        + "\"qwen2.5-7b-instruct\",\"system_fingerprint\":\"b7100-fake\",\"object\":\"chat.completion.chunk\","
                        + usage + ",\"timings\":{\"prompt_n\":" + prompt + ",\"prompt_ms\":120.5,\"predicted_n\":"
                        + completion + ",\"predicted_ms\":880.25,\"predicted_per_second\":22.7}}\n\n";
                case VLLM -> "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":"
                        + "1764590001,\"model\":\"qwen2.5-7b-instruct\",\"choices\":null," + usage + "}\n\n";
                case OPENAI -> "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":"
                        + "1764590001,\"model\":\"qwen2.5-7b-instruct\",\"system_fingerprint\":\"fp_fake\",\"choices\":[]," + usage
                        + "}\n\n";
            };
        }
    }

    private void handle(FakeHttpServer.Request request, FakeHttpServer.Exchange exchange) throws IOException {
        requests.add(request);
        if (!apiKey.isEmpty() && !request.header("Authorization").equals("Bearer " + apiKey)) {
            exchange.respond(401, "application/json", error(401, flavor == Flavor.LLAMA_SERVER ? "Invalid API Key"
                    : "Incorrect API key provided", "authentication_error", "invalid_api_key"), List.of());
            return;
        }
        String path = request.path();
        if (request.method().equals("GET") && path.equals("/v1/models")) {
            StringBuilder sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
            for (int i = 0; i < models.size(); i++) {
                sb.append(i > 0 ? "," : "").append("{\"id\":").append(FakeHttpServer.json(models.get(i)))
                        .append(",\"object\":\"model\",\"created\":1764500000,\"owned_by\":")
                        .append(flavor == Flavor.LLAMA_SERVER ? "\"llamacpp\"" : "\"vllm\"")
                        .append(flavor == Flavor.VLLM ? ",\"max_model_len\":" + context : "").append('}');
            }
            exchange.respond(200, "application/json", sb.append("]}").toString(), List.of());
        } else if (request.method().equals("GET") && path.equals("/props") && flavor == Flavor.LLAMA_SERVER) {
            exchange.respond(200, "application/json", "{\"default_generation_settings\":{\"n_ctx\":" + context
                    + ",\"params\":{}},\"total_slots\":1,\"model_path\":\"model.gguf\"}", List.of());
        } else if (request.method().equals("POST") && path.equals("/v1/chat/completions")) {
            chats.add(request);
            String model = request.body().replaceAll("(?s).*?\"model\"\\s*:\\s*\"([^\"]*)\".*", "$1");
            Reply reply = replies.poll();
            if (reply == null) {
                exchange.respond(500, "application/json", error(500, "fake: no reply scripted", "server_error",
                        null), List.of());
            } else if (flavor != Flavor.LLAMA_SERVER && !models.contains(model)) {
                exchange.respond(404, "application/json", flavor == Flavor.VLLM
                        ? error(404, "The model `" + model + "` does not exist.", "NotFoundError", null)
                        : error(404, "The model `" + model + "` does not exist or you do not have access to it.",
                                "invalid_request_error", "model_not_found"), List.of());
            } else if (reply.status != 200) {
                String body = reply.errorBody != null ? reply.errorBody
                        : error(reply.status, reply.errorMessage, type(reply.status), null);
                exchange.respond(reply.status, "application/json", body,
                        reply.retryAfter.isEmpty() ? List.of() : List.of("Retry-After: " + reply.retryAfter));
            } else {
                exchanges.add(exchange);
                boolean usage = request.body().replace(" ", "").contains("\"include_usage\":true");
                exchange.play(reply.script(flavor, usage), reply.contentType);
            }
        } else {
            // llama-server's and vLLM's answer for a route nothing serves: plain text 404
            exchange.respond(404, "text/plain", flavor == Flavor.VLLM ? "{\"detail\":\"Not Found\"}" : "File Not Found",
                    List.of());
        }
    }

    private String type(int status) {
        return switch (status) {
            case 400 -> flavor == Flavor.LLAMA_SERVER ? "invalid_request_error" : "BadRequestError";
            case 429 -> "rate_limit_error";
            case 503 -> "unavailable_error";
            default -> "server_error";
        };
    }

    /** The error body: llama-server's {@code code, message, type}; OpenAI's and vLLM's with {@code param}. */
    private String error(int status, String message, String type, String code) {
        return switch (flavor) {
            case LLAMA_SERVER -> "{\"error\":{\"code\":" + status + ",\"message\":" + FakeHttpServer.json(message)
                    + ",\"type\":" + FakeHttpServer.json(type) + "}}";
            case VLLM -> "{\"error\":{\"message\":" + FakeHttpServer.json(message) + ",\"type\":"
                    + FakeHttpServer.json(type) + ",\"param\":null,\"code\":" + status + "}}";
            case OPENAI -> "{\"error\":{\"message\":" + FakeHttpServer.json(message) + ",\"type\":"
                    + FakeHttpServer.json(type) + ",\"param\":null,\"code\":"
                    + (code == null ? "null" : FakeHttpServer.json(code)) + "}}";
        };
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
