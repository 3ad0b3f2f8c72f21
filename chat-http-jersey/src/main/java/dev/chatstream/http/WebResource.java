package dev.chatstream.http;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The chat page: {@code GET /} and its files under {@code /static/}, served from the jar (no build step). No
 * token is needed to load them; the page asks for one and calls the API with it. Every answer carries a
 * strict Content-Security-Policy: scripts, styles and connections only from this origin, no inline code,
 * no frames, no plugins, so model output that slipped into the DOM still could not run. The files are a fixed set
 * read once at start, so no request, with a token or without, can make the server hold more.
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
            "svg", "image/svg+xml",
            "ts", "text/plain; charset=UTF-8");

    /** Every file the page has; read once, at start. A name outside this set is a 404 and is never remembered. */
    static final List<String> ASSETS = List.of("index.html", "app.css", "app.js", "chat-stream-client.js",
            "markdown.js", "use-chat-stream.js", "use-chat-stream.d.ts");

    private final Map<String, byte[]> files;

    public WebResource() {
        Map<String, byte[]> read = new java.util.HashMap<>();
        for (String name : ASSETS) {
            read.put(name, read(name));
        }
        files = Map.copyOf(read);
    }

    @GET
    public Response index() {
        return file("index.html");
    }

    @GET
    @Path("static/{name: [a-z0-9-]{1,64}(\\.d)?\\.(js|css|svg|html|ts)}")
    public Response asset(@PathParam("name") String name) {
        return file(name);
    }

    /** How many files are held: the assets, however many other names were asked for. */
    int held() {
        return files.size();
    }

    private Response file(String name) {
        byte[] body = files.get(name);
        if (body == null) {
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
            if (in == null) {
                throw new IllegalStateException("The chat page's file web/" + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
