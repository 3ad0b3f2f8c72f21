package dev.chatstream.core;

/**
 * The port of a part that has figures to publish (a cache's hits, a model's queue): it names each one to the
 * server's {@link Meters} once, at start; the meters read the values whenever they are scraped. Like Micrometer's
 * {@code MeterBinder}, without the dependency.
 */
public interface Measured {
    /** Registers this part's figures. */
    void describeTo(Meters meters);
}
