package dev.chatstream.http;

import dev.chatstream.core.Json;
import dev.chatstream.core.LlmStream;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's front door, for the {@code openai} SDKs, Open WebUI, Continue, LibreChat and anything else that speaks chat
 * completions: {@code POST /v1/chat/completions} (streamed or not) and {@code GET /v1/models}. Behind the same Bearer
 * tokens, chat rate, stream caps and metrics as {@code /api/chat/stream}, and the same turn: chatstream's base
 * prompt, time line, home and memories, the ACTION filter and, with {@code actions.auto}, the action policy. The
 * client holds the conversation, so turns are not stored. Errors, before or during the stream, are in OpenAI's shape
 * (docs/compatibility.md).
 */
@Path("/v1")
public final class OpenAiResource {
    private final HttpConfig config;
    private final ChatGate gate;
    private final LlmStream llm;
    private final Clock clock;

    @Inject
    OpenAiResource(HttpConfig config, ChatGate gate, LlmStream llm, Clock clock) {
        this.config = config;
        this.gate = gate;
        this.llm = llm;
        this.clock = clock;
    }

    /** A chat completion: chunks as they come with {@code "stream": true}, else one answer once the turn ended. */
    @POST
    @Path("chat/completions")
    public void completions(@Context ContainerRequestContext context,
            @Context org.glassfish.grizzly.http.server.Request raw, @Suspended AsyncResponse async) {
        gate.start(context, raw, async, (body, user) -> {
            OpenAiRequests.Read asked = OpenAiRequests.read(body, user, config.clientSystem());
            String model = OfferedModels.answering(llm, asked.model());
            long created = clock.instant().getEpochSecond();
            return new ChatGate.Door(asked.request(), asked::inClientTerms, false,
                    turn -> new OpenAiWire(turn.id(), created, model, asked.includeUsage()),
                    ChatResource.EVENT_STREAM, Map.of(), asked.stream() ? java.util.Optional.empty()
                    : java.util.Optional.of((turn, events) -> new OpenAiWire(turn.id(), created, model, false)
                            .completion(events)));
        });
    }

    /** The models the LLM backend offers (else the configured one, when it cannot tell), in OpenAI's list shape. */
    @GET
    @Path("models")
    @Produces("application/json")
    public String models() {
        List<Map<String, Object>> data = new java.util.ArrayList<>();
        for (String name : OfferedModels.of(llm)) {
            data.add(entry(name));
        }
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("object", "list");
        list.put("data", data);
        return Json.write(list);
    }

    /** One model, or 404 when the backend does not offer it. */
    @GET
    @Path("models/{model: .+}")
    @Produces("application/json")
    public String model(@PathParam("model") String name) {
        if (!OfferedModels.of(llm).contains(name)) {
            throw new ApiException(404, "model_not_found", "The model " + Json.write(name) + " is not offered here; "
                    + "GET /v1/models lists the ones that are");
        }
        return Json.write(entry(name));
    }

    private static Map<String, Object> entry(String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", name);
        m.put("object", "model");
        m.put("created", 0);
        m.put("owned_by", "chatstream");
        return m;
    }
}
