package dev.chatstream.http;

import dev.chatstream.core.ChatException;
import dev.chatstream.ollama.OllamaLlmStream;
import dev.chatstream.store.JdbcStore;
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
 * answers, Ollama answers and the configured model is installed; otherwise 503 with the reason and what to do.
 * A Home Assistant that does not answer is reported ({@code home_problem}) but does not make the server unready:
 * chats go on without it.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON + ";charset=UTF-8")
public final class HealthResource {
    private final OllamaLlmStream ollama;
    private final JdbcStore store;
    private final ServerConfig config;
    private final HomeCheck home;

    @Inject
    HealthResource(OllamaLlmStream ollama, JdbcStore store, ServerConfig config, HomeCheck home) {
        this.ollama = ollama;
        this.store = store;
        this.config = config;
        this.home = home;
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
        if (!store.ping()) {
            body.put("status", "not_ready");
            body.put("reason", "The database (" + store.describe() + ") does not answer; see docs/data.md");
            body.put("code", "store_unavailable");
            return Response.status(503).entity(Json.write(body)).build();
        }
        body.put("home", home.describe());
        home.problem().ifPresent(p -> body.put("home_problem", p + " (chats go on with the stored home context; "
                + "no action can run)"));
        if (config.llamaCpp().isPresent()) { // loaded at start, in this process: ready when the database is
            body.put("llm", "llamacpp");
            body.put("model", config.llamaCpp().get().model().toString());
            body.put("status", "ready");
            return Response.ok(Json.write(body)).build();
        }
        try {
            String version = ollama.version();
            boolean installed = ollama.isInstalled(config.model());
            body.put("ollama_url", config.ollamaUrl().toString());
            body.put("ollama_version", version);
            body.put("model", config.model());
            if (!installed) {
                body.put("status", "not_ready");
                body.put("reason", "The model " + config.model() + " is not installed in Ollama; run: ollama pull "
                        + config.model());
                return Response.status(503).entity(Json.write(body)).build();
            }
            body.put("status", "ready");
            return Response.ok(Json.write(body)).build();
        } catch (ChatException e) {
            body.put("status", "not_ready");
            body.put("reason", e.getMessage());
            body.put("code", e.code().code());
            return Response.status(503).entity(Json.write(body)).build();
        }
    }
}
