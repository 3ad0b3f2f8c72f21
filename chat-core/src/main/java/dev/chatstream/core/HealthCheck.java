package dev.chatstream.core;

/**
 * The port through which a server asks one part (the database, the LLM, the source of homes) whether it can serve
 * now, for a readiness answer. A check does I/O, returns within the part's own timeouts and never throws: a part
 * that cannot tell says so in its {@link Health}. Thread-safe.
 */
public interface HealthCheck {
    /** What the part says about itself now. */
    Health check();
}
