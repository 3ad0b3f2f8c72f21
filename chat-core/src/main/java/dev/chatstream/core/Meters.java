package dev.chatstream.core;

import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * Where a {@link Measured} part registers its figures: a name such as {@code chatstream.cache.hits}, a line of help,
 * tags, and a function read at every scrape (it must be cheap and thread-safe). Implemented by the server's metrics.
 */
public interface Meters {
    /** A figure that only grows (hits, seconds spent). */
    void counter(String name, String help, Map<String, String> tags, DoubleSupplier value);

    /** A figure that goes up and down (requests waiting, a ratio). */
    void gauge(String name, String help, Map<String, String> tags, DoubleSupplier value);
}
