package dev.chatstream.http;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The chat page: {@code GET /} and its files under {@code /static/}, served from the jar (no build step). No
 * token is needed to load them; the page asks for one and calls the API with it. Every answer carries a
 * strict Content-Security-Policy: scripts, styles and connections only from this origin, no inline code,
 * no frames, no plugins, so model output that slipped into the DOM still could not run.
 */
@Path("/")
public final class WebResource {
    /** The page's Content-Security-Policy: its own scripts and styles only. */
    public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=UTF-8",
            "js", "text/javascript; charset=UTF-8",
            "css", "text/css; charset=UTF-8",
            "svg", "image/svg+xml");

    private final Map<String, byte[]> files = new ConcurrentHashMap<>();

    @GET
    public Response index() {
        return file("index.html");
    }

    @GET
    @Path("static/{name: [a-z0-9-]+\\.(js|css|svg|html)}")
    public Response asset(@PathParam("name") String name) {
        return file(name);
    }

    private Response file(String name) {
        byte[] body = files.computeIfAbsent(name, WebResource::read);
        if (body.length == 0) {
            throw new NotFoundException();
        }
        String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
        return Response.ok(body, type)
                .header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .header("X-Frame-Options", "DENY")
                .header("Cache-Control", "no-cache")
                .build();
    }

    private static byte[] read(String name) {
        try (InputStream in = WebResource.class.getResourceAsStream("web/" + name)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
