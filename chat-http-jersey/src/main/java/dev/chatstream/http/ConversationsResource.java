package dev.chatstream.http;

import dev.chatstream.core.Json;
import dev.chatstream.core.Conversation;
import dev.chatstream.core.ConversationStore;
import dev.chatstream.core.StoredMessage;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/conversations}, {@code GET /api/conversations/{id}} (its messages) and
 * {@code DELETE /api/conversations/{id}}: the caller's own conversations; another user's id is answered
 * exactly like a missing one.
 */
@Path("/api/conversations")
@Produces(MediaType.APPLICATION_JSON + ";charset=UTF-8")
public final class ConversationsResource {
    private final ConversationStore conversations;

    @Inject
    ConversationsResource(ConversationStore conversations) {
        this.conversations = conversations;
    }

    @GET
    public String list(@Context ContainerRequestContext context) {
        List<Map<String, Object>> list = conversations.conversations(AuthFilter.user(context)).stream()
                .map(ConversationsResource::json).toList();
        return Json.write(Map.of("conversations", list));
    }

    @GET
    @Path("{id: [0-9]{1,18}}")
    public String messages(@Context ContainerRequestContext context, @PathParam("id") long id) {
        List<StoredMessage> messages = conversations.messages(AuthFilter.user(context), id)
                .orElseThrow(() -> notFound(id));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("messages", messages.stream().map(ConversationsResource::json).toList());
        return Json.write(out);
    }

    @DELETE
    @Path("{id: [0-9]{1,18}}")
    public Response delete(@Context ContainerRequestContext context, @PathParam("id") long id) {
        if (!conversations.delete(AuthFilter.user(context), id)) {
            throw notFound(id);
        }
        return Response.noContent().build();
    }

    private static ApiException notFound(long id) {
        return ApiException.of(new dev.chatstream.core.ConversationNotFoundException(id));
    }

    private static Map<String, Object> json(Conversation c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", c.id());
        out.put("title", c.title());
        out.put("created_at", c.createdAt().toString());
        out.put("updated_at", c.updatedAt().toString());
        return out;
    }

    private static Map<String, Object> json(StoredMessage m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", m.id());
        out.put("role", m.role().wireName());
        out.put("content", m.content());
        out.put("status", m.status().wireName());
        out.put("created_at", m.createdAt().toString());
        return out;
    }
}
