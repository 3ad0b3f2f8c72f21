package dev.chatstream.http;

import dev.chatstream.core.Json;
import dev.chatstream.core.Health;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/health}: the process is up (no auth, no I/O). {@code GET /api/ready}: the database
 * answers and the LLM can serve (for Ollama: it answers and the configured model is installed); otherwise 503 with
 * the reason and what to do. A source of homes that does not answer (Home Assistant) is reported
 * ({@code home_problem}) but does not make the server unready: chats go on without it.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON + ";charset=UTF-8")
public final class HealthResource {
    private final Readiness checks;
    private final OpenStreams streams;

    @Inject
    HealthResource(Readiness checks, OpenStreams streams) {
        this.checks = checks;
        this.streams = streams;
    }

    @GET
    @Path("health{slash: /?}")
    public String health() {
        return Json.write(Map.of("status", "ok"));
    }

    @GET
    @Path("ready{slash: /?}")
    public Response ready() {
        Map<String, Object> body = new LinkedHashMap<>();
        if (streams.closing()) { // stopping (or draining): a load balancer that asks sends new chats elsewhere
            body.put("status", "stopping");
            body.put("reason", "The server is stopping: it takes no new chats, and ends the replies it streams");
            return Response.status(503).entity(Json.write(body)).build();
        }
        Health store = checks.store().check();
        if (!store.ok()) {
            return notReady(body, store);
        }
        Health home = checks.home().check();
        body.putAll(home.facts());
        home.problem().ifPresent(p -> body.put("home_problem", p + " (chats go on with the stored home context; "
                + "no action can run)"));
        Health llm = checks.llm().check();
        body.putAll(llm.facts());
        if (!llm.ok()) {
            return notReady(body, llm);
        }
        Health shared = checks.shared().check();
        body.putAll(shared.facts());
        if (!shared.ok()) { // it serves, with this node's own limits
            body.put("status", "degraded");
            body.put("reason", shared.problem().orElseThrow());
            return Response.ok(Json.write(body)).build();
        }
        body.put("status", "ready");
        return Response.ok(Json.write(body)).build();
    }

    private static Response notReady(Map<String, Object> body, Health health) {
        body.put("status", "not_ready");
        body.put("reason", health.problem().orElseThrow());
        health.code().ifPresent(c -> body.put("code", c.code()));
        return Response.status(503).entity(Json.write(body)).build();
    }
}
