package dev.chatstream.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * Jersey's Grizzly handler behind one check Grizzly makes before Jersey sees a request: a client that sends
 * {@code Expect: 100-continue} with a {@code Content-Length} over {@code limits.body.bytes} gets its 413 at once,
 * instead of {@code 100 Continue} (which tells it to send the whole body) and then the 413. Everything else is
 * Jersey's, unchanged.
 */
final class BodyLimitHandler extends HttpHandler {
    private final HttpHandler jersey;
    private final int maxBodyBytes;

    BodyLimitHandler(HttpHandler jersey, int maxBodyBytes) {
        super(jersey.getName());
        this.jersey = jersey;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        jersey.service(request, response);
    }

    @Override
    protected boolean sendAcknowledgment(Request request, Response response) throws IOException {
        if (request.getContentLengthLong() > maxBodyBytes) {
            ApiException e = JsonBodies.tooLarge(maxBodyBytes);
            byte[] body = ErrorMappers.body(e.getMessage(), e.code(), java.util.Optional.empty())
                    .getBytes(StandardCharsets.UTF_8);
            response.setStatus(413);
            response.setContentType("application/json;charset=UTF-8");
            response.setContentLength(body.length);
            response.setHeader("Connection", "close"); // the body it did not send is not read
            response.getOutputStream().write(body);
            return false;
        }
        return super.sendAcknowledgment(request, response);
    }

    @Override
    public void start() {
        jersey.start();
    }

    @Override
    public void destroy() {
        jersey.destroy();
    }
}
