package dev.chatstream.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.Json;
import dev.chatstream.core.LlmStream;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ollama's front door, so that Ollama's clients (Home Assistant's Ollama integration, ollama-js, ollama-python, Open
 * WebUI's Ollama connection) can be pointed at chatstream: {@code POST /api/chat} (NDJSON, streamed or not; routed
 * here from {@link ChatResource}, which owns {@code /api/chat}), {@code GET /api/tags}, {@code GET /api/version},
 * {@code POST /api/show}, and {@code POST /api/pull}, which answers that pulling is not offered. Behind the same
 * Bearer tokens, chat rate, stream caps and metrics as {@code /api/chat/stream}; turns are not stored (the client
 * holds the conversation). Errors are Ollama's {@code {"error": "..."}} (with chatstream's {@code code} beside it).
 */
@Path("/api")
public final class OllamaResource {
    /** The Ollama API version this door follows, for clients that check it. */
    static final String API_VERSION = "0.12.0";
    static final MediaType NDJSON = new MediaType("application", "x-ndjson");

    private final HttpConfig config;
    private final ChatGate gate;
    private final LlmStream llm;
    private final Clock clock;

    @Inject
    OllamaResource(HttpConfig config, ChatGate gate, LlmStream llm, Clock clock) {
        this.config = config;
        this.gate = gate;
        this.llm = llm;
        this.clock = clock;
    }

    /** {@code POST /api/chat}: NDJSON lines as they come (Ollama's default), or one object with {@code "stream": false}. */
    void chat(ContainerRequestContext context, org.glassfish.grizzly.http.server.Request raw, AsyncResponse async) {
        gate.start(context, raw, async, (body, user) -> {
            OllamaRequests.Read asked = OllamaRequests.read(body, user, config.clientSystem());
            String model = OfferedModels.answering(llm, asked.model());
            return new ChatGate.Door(asked.request(), asked::inClientTerms, false, turn -> new OllamaWire(model, clock),
                    NDJSON, Map.of(), asked.stream() ? java.util.Optional.empty()
                    : java.util.Optional.of((turn, events) -> new OllamaWire(model, clock).whole(events)));
        });
    }

    /** The models the backend offers (else the configured one, when it cannot tell), in Ollama's shape. */
    @GET
    @Path("tags")
    @Produces("application/json")
    public String tags() {
        List<Map<String, Object>> models = new java.util.ArrayList<>();
        for (String name : OfferedModels.of(llm)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("model", name);
            m.put("modified_at", "1970-01-01T00:00:00Z");
            m.put("size", 0);
            m.put("digest", "");
            m.put("details", details());
            models.add(m);
        }
        return Json.write(Map.of("models", models));
    }

    @GET
    @Path("version")
    @Produces("application/json")
    public String version() {
        return Json.write(Map.of("version", API_VERSION));
    }

    /** One model's details: what chatstream knows (its context size), 404 for a model the backend does not offer. */
    @POST
    @Path("show")
    @Produces("application/json")
    public String show(@Context ContainerRequestContext context) {
        JsonNode body = JsonBodies.object(context, config, "{\"model\": \"llama3.2\"}");
        JsonNode name = body.has("model") ? body.get("model") : body.get("name");
        if (name == null || !name.isTextual() || name.textValue().isBlank()) {
            throw JsonBodies.invalid("model is required: the name of a model GET /api/tags lists");
        }
        String model = name.textValue().strip();
        if (!offers(model)) {
            throw new ApiException(404, "model_not_found", "model \"" + clip(model) + "\" not found: GET "
                    + "/api/tags lists the models this server offers");
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("general.architecture", "chatstream");
        llm.contextTokens(ChatOptions.defaults().withModel(model))
                .ifPresent(n -> info.put("chatstream.context_length", n));
        Map<String, Object> show = new LinkedHashMap<>();
        show.put("modelfile", "");
        show.put("parameters", "");
        show.put("template", "");
        show.put("details", details());
        show.put("model_info", info);
        show.put("capabilities", List.of("completion", "tools"));
        show.put("modified_at", "1970-01-01T00:00:00Z");
        return Json.write(show);
    }

    /** chatstream never downloads models: the answer says where to pull one. */
    @POST
    @Path("pull")
    @Produces("application/json")
    public String pull() {
        throw new ApiException(403, "pull_not_offered", "chatstream does not download models: pull the model on the "
                + "LLM server behind it (e.g. ollama pull llama3.2 there); GET /api/tags lists what it offers now");
    }

    private boolean offers(String model) {
        List<String> names = OfferedModels.of(llm);
        return names.contains(model) || names.contains(model + ":latest")
                || (model.endsWith(":latest") && names.contains(model.substring(0, model.length() - 7)));
    }

    private static Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("parent_model", "");
        d.put("format", "");
        d.put("family", "");
        d.put("families", List.of());
        d.put("parameter_size", "");
        d.put("quantization_level", "");
        return d;
    }

    /** Text from a client quoted in an answer: at most 80 characters. */
    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
