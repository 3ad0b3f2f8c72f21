package dev.chatstream.http;

import dev.chatstream.core.HealthCheck;

/**
 * What {@code GET /api/ready} asks, in this order: the database (a problem makes the server unready), the source of
 * homes (a problem is reported, chats go on), and the LLM (a problem makes the server unready).
 *
 * @param store the database
 * @param home  where the home context comes from
 * @param llm   the model chats go to
 */
public record Readiness(HealthCheck store, HealthCheck home, HealthCheck llm) {
    public Readiness {
        java.util.Objects.requireNonNull(store, "store");
        java.util.Objects.requireNonNull(home, "home");
        java.util.Objects.requireNonNull(llm, "llm");
    }
}
