package dev.chatstream.http;

import dev.chatstream.core.SseCodec;
import dev.chatstream.core.Json;
import dev.chatstream.core.ActionDispatcher;
import dev.chatstream.core.ActionTicketException;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.UserId;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.function.BiFunction;

/**
 * {@code POST /api/actions/{id}/confirm} and {@code POST /api/actions/{id}/cancel}: the caller decides one of
 * their own actions that waits for confirmation. Answers {@code {"id", "status", "message"}} (the same fields as
 * the {@code action_result} event): 200 once decided (status {@code done}, {@code failed}, {@code refused} or
 * {@code cancelled}); 404 {@code action_not_found} for an unknown id or another user's; 410
 * {@code action_expired}; 409 {@code action_already_decided}. Nothing runs on any error.
 */
@Path("/api/actions")
@Produces(MediaType.APPLICATION_JSON + ";charset=UTF-8")
public final class ActionsResource {
    private final ActionDispatcher actions;
    private final HttpConfig config;

    @Inject
    ActionsResource(ActionDispatcher actions, HttpConfig config) {
        this.actions = actions;
        this.config = config;
    }

    @POST
    @Path("{id}/confirm")
    public String confirm(@Context ContainerRequestContext context, @PathParam("id") String id) {
        return decide(context, id, actions::confirm);
    }

    @POST
    @Path("{id}/cancel")
    public String cancel(@Context ContainerRequestContext context, @PathParam("id") String id) {
        return decide(context, id, actions::cancel);
    }

    private String decide(ContainerRequestContext context, String id,
            BiFunction<UserId, String, ChatEvent.ActionResult> how) {
        UserId user = AuthFilter.user(context);
        if (!config.actionsAuto()) {
            throw new ApiException(404, "action_not_found", "This server does not run actions (actions.auto is "
                    + "off), so there is nothing to confirm or cancel");
        }
        try {
            return Json.write(SseCodec.actionResult(how.apply(user, id)));
        } catch (ActionTicketException e) {
            int status = switch (e.code()) {
                case ACTION_EXPIRED -> 410;
                case ACTION_ALREADY_DECIDED -> 409;
                default -> 404;
            };
            throw new ApiException(status, e.code().code(), e.getMessage());
        }
    }
}
