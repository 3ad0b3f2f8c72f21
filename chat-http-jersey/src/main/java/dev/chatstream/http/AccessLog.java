package dev.chatstream.http;

import java.time.Duration;

/**
 * One line per request: id, method, path, user, status, duration, tokens, outcome. Never the token, the
 * Authorization header, the query string or the message text.
 */
final class AccessLog {
    private static final System.Logger LOG = System.getLogger("dev.chatstream.http.access");

    private AccessLog() {
    }

    static void line(String requestId, String method, String path, String user, int status, Duration took,
            long tokens, String outcome) {
        LOG.log(System.Logger.Level.INFO, () -> "request_id=" + requestId + " method=" + method + " path=/" + path
                + " user=" + user + " status=" + status + " duration_ms=" + took.toMillis()
                + " tokens=" + tokens + " outcome=" + outcome);
    }
}
