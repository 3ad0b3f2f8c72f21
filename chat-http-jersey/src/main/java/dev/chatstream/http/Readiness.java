package dev.chatstream.http;

import dev.chatstream.core.HealthCheck;

/**
 * What {@code GET /api/ready} asks, in this order: the database (a problem makes the server unready), the source of
 * homes (a problem is reported, chats go on), the LLM (a problem makes the server unready), and what several nodes
 * share (a problem makes it {@code degraded}: it serves, with per-node limits).
 *
 * @param store  the database
 * @param home   where the home context comes from
 * @param llm    the model chats go to
 * @param shared the store several nodes share their limits through (Redis); always fine on one node
 */
public record Readiness(HealthCheck store, HealthCheck home, HealthCheck llm, HealthCheck shared) {
    public Readiness {
        java.util.Objects.requireNonNull(store, "store");
        java.util.Objects.requireNonNull(home, "home");
        java.util.Objects.requireNonNull(llm, "llm");
        java.util.Objects.requireNonNull(shared, "shared");
    }
}
