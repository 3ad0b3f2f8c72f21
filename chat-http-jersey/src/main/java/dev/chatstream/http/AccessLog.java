package dev.chatstream.http;

import dev.chatstream.core.LogText;
import java.time.Duration;

/**
 * One line per request: id, method, path, user, status, duration, tokens, outcome. Never the token, the
 * Authorization header, the query string or the message text. What the client chose (the method, the decoded path)
 * goes through {@link LogText}, so a {@code %0A} in a path cannot write a line that looks like another request.
 */
final class AccessLog {
    private static final System.Logger LOG = System.getLogger("dev.chatstream.http.access");

    private AccessLog() {
    }

    static void line(String requestId, String method, String path, String user, int status, Duration took,
            long tokens, String outcome) {
        LOG.log(System.Logger.Level.INFO, () -> "request_id=" + LogText.field(requestId) + " method="
                + LogText.field(method) + " path=" + LogText.field("/" + path) + " user=" + LogText.field(user)
                + " status=" + status + " duration_ms=" + took.toMillis()
                + " tokens=" + tokens + " outcome=" + outcome);
    }
}
