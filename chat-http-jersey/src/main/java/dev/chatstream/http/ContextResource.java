package dev.chatstream.http;

import dev.chatstream.core.Json;
import dev.chatstream.core.HomeContext;
import dev.chatstream.core.HomeContextStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET/PUT /api/context}: the caller's home context (devices, names, areas, aliases) as JSON. A PUT
 * replaces it whole after validating all of it, and the next prompt sees it (the cache is dropped).
 */
@Path("/api/context")
@Produces(MediaType.APPLICATION_JSON + ";charset=UTF-8")
public final class ContextResource {
    private final HomeContextStore homes;
    private final HttpConfig config;

    @Inject
    ContextResource(HomeContextStore homes, HttpConfig config) {
        this.homes = homes;
        this.config = config;
    }

    @GET
    public String get(@Context ContainerRequestContext context) {
        return Json.write(HomeContextJson.write(homes.homeContext(AuthFilter.user(context))));
    }

    @PUT
    public String put(@Context ContainerRequestContext context) {
        HomeContext home = HomeContextJson.read(JsonBodies.object(context, config,
                HomeContextJson.EXAMPLE));
        homes.replaceHomeContext(AuthFilter.user(context), home);
        return Json.write(HomeContextJson.write(home));
    }
}
