package dev.chatstream.http;

import dev.chatstream.core.Json;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/**
 * {@code GET /api/me}: {@code {"user": "ana"}}, who the request's token signs in as. The chat page shows it, and asks
 * before a link with another account's token replaces the one it holds.
 */
@Path("/api/me")
@Produces(MediaType.APPLICATION_JSON + ";charset=UTF-8")
public final class MeResource {

    @GET
    public String me(@Context ContainerRequestContext context) {
        return Json.write(Map.of("user", AuthFilter.user(context).value()));
    }
}
