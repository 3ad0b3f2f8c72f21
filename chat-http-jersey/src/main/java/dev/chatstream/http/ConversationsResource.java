package dev.chatstream.http;

import dev.chatstream.core.Json;
import dev.chatstream.core.Conversation;
import dev.chatstream.core.ConversationStore;
import dev.chatstream.core.StoredMessage;
import dev.chatstream.core.UserId;
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
 * {@code GET /api/conversations}, {@code GET /api/conversations/{id}} (its messages),
 * {@code PATCH /api/conversations/{id}} ({@code {"title": "..."}}: rename it) and
 * {@code DELETE /api/conversations/{id}}: the caller's own conversations; another user's id is answered
 * exactly like a missing one. A conversation with a reply still streaming names its turn ({@code running_turn}),
 * so that a reloaded page can attach to it.
 */
@Path("/api/conversations")
@Produces(MediaType.APPLICATION_JSON + ";charset=UTF-8")
public final class ConversationsResource {
    private final ConversationStore conversations;
    private final dev.chatstream.core.Turns turns;
    private final dev.chatstream.core.TurnDirectory directory;
    private final HttpConfig config;

    @Inject
    ConversationsResource(ConversationStore conversations, dev.chatstream.core.Turns turns,
            dev.chatstream.core.TurnDirectory directory, HttpConfig config) {
        this.conversations = conversations;
        this.turns = turns;
        this.directory = directory;
        this.config = config;
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
        UserId user = AuthFilter.user(context);
        List<StoredMessage> messages = conversations.messages(user, id).orElseThrow(() -> notFound(id));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("messages", messages.stream().map(ConversationsResource::json).toList());
        // a reply still streaming (its turn not stored yet): a reloaded page shows its message and attaches, on this
        // node or, with several, through it to the one that runs it
        java.util.Optional<dev.chatstream.core.TurnDirectory.Running> live = turns.runningIn(user, id)
                .map(t -> new dev.chatstream.core.TurnDirectory.Running(t.id(), t.user(), t.conversationId(),
                        t.message(), java.util.OptionalLong.empty(), t.resumable(), true, t.startedAt()));
        if (live.isEmpty() && directory.shared()) {
            live = directory.runningIn(user, id);
        }
        live.filter(turn -> !stored(messages, turn)).ifPresent(turn -> {
            Map<String, Object> running = new LinkedHashMap<>();
            running.put("turn_id", turn.turnId());
            running.put("message", turn.message());
            running.put("resumable", turn.resumable());
            out.put("running_turn", running);
        });
        return Json.write(out);
    }

    /** Renames one of the caller's conversations; answers it as the list shows it. */
    @jakarta.ws.rs.PATCH
    @Path("{id: [0-9]{1,18}}")
    public String rename(@Context ContainerRequestContext context, @PathParam("id") long id) {
        UserId user = AuthFilter.user(context);
        com.fasterxml.jackson.databind.JsonNode title = JsonBodies.object(context, config,
                "{\"title\": \"Férias em agosto\"}").get("title");
        if (title == null || !title.isTextual() || title.textValue().isBlank()) {
            throw JsonBodies.invalid("title is required: the conversation's new name, such as {\"title\": \"Férias em "
                    + "agosto\"}");
        }
        if (!conversations.rename(user, id, title.textValue())) {
            throw notFound(id);
        }
        return conversations.conversations(user).stream().filter(c -> c.id() == id).findFirst()
                .map(c -> Json.write(json(c))).orElseThrow(() -> notFound(id));
    }

    @DELETE
    @Path("{id: [0-9]{1,18}}")
    public Response delete(@Context ContainerRequestContext context, @PathParam("id") long id) {
        if (!conversations.delete(AuthFilter.user(context), id)) {
            throw notFound(id);
        }
        return Response.noContent().build();
    }

    /**
     * Whether {@code turn}, still running, is already in {@code messages}: it is stored just before its terminal
     * event, so a read can fall in between. Its turn is then the last two messages, saved since it started.
     */
    private static boolean stored(List<StoredMessage> messages, dev.chatstream.core.TurnDirectory.Running turn) {
        int n = messages.size();
        if (n < 2) {
            return false;
        }
        StoredMessage asked = messages.get(n - 2);
        return asked.role() == dev.chatstream.core.Role.USER && asked.content().equals(turn.message())
                && !asked.createdAt().isBefore(turn.startedAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
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
        if (!m.events().isEmpty()) {
            // what the user saw beside the text, as the stream's own events: a page shows them as it did live
            java.util.List<Map<String, Object>> events = new java.util.ArrayList<>();
            for (dev.chatstream.core.ChatEvent e : m.events()) {
                Map<String, Object> data = dev.chatstream.core.SseCodec.data(e, "");
                data.remove("request_id");
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("event", dev.chatstream.core.SseCodec.name(e));
                one.put("data", data);
                events.add(one);
            }
            out.put("events", events);
        }
        return out;
    }
}
