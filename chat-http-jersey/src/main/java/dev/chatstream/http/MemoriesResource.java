package dev.chatstream.http;

import dev.chatstream.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.core.Memory;
import dev.chatstream.core.MemoryStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET/POST /api/memories} and {@code DELETE /api/memories/{id}}: the caller's own memories only.
 * Writes go through the memory cache, so the next prompt sees them.
 */
@Path("/api/memories")
@Produces(MediaType.APPLICATION_JSON + ";charset=UTF-8")
public final class MemoriesResource {
    private static final String EXAMPLE = "{\"text\": \"O aniversário da Ana é a 3 de maio\"}";

    private final MemoryStore memories;
    private final HttpConfig config;

    @Inject
    MemoriesResource(MemoryStore memories, HttpConfig config) {
        this.memories = memories;
        this.config = config;
    }

    @GET
    public String list(@Context ContainerRequestContext context) {
        return Json.write(Map.of("memories", memories.list(AuthFilter.user(context)).stream().map(MemoriesResource::json).toList()));
    }

    @POST
    public Response add(@Context ContainerRequestContext context) {
        JsonNode body = JsonBodies.object(context, config, EXAMPLE);
        JsonNode text = body.get("text");
        if (text == null || !text.isTextual()) {
            throw JsonBodies.invalid("text is required and must be a string, as in " + EXAMPLE);
        }
        dev.chatstream.core.UserId user = AuthFilter.user(context);
        if (memories.list(user).size() >= config.memoriesPerUser()) {
            throw new ApiException(409, "too_many_memories", "You keep " + config.memoriesPerUser()
                    + " memories, the most one user may (limits.memories.per.user); delete some, then add this one");
        }
        Memory memory = memories.add(user, text.textValue());
        return Response.created(URI.create("/api/memories/" + memory.id())).entity(Json.write(json(memory))).build();
    }

    @DELETE
    @Path("{id: [0-9]{1,18}}")
    public Response delete(@Context ContainerRequestContext context, @PathParam("id") long id) {
        if (!memories.delete(AuthFilter.user(context), id)) {
            throw new ApiException(404, "memory_not_found", "Memory " + id + " was not found");
        }
        return Response.noContent().build();
    }

    static Map<String, Object> json(Memory m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", m.id());
        out.put("text", m.text());
        out.put("created_at", m.createdAt().toString());
        return out;
    }
}
