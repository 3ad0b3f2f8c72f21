package dev.chatstream.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link HomeContextStore} in a map, for tests and for embedders who keep nothing across restarts.
 * Thread-safe.
 */
public final class InMemoryHomeContextStore implements HomeContextStore {
    private final Map<UserId, HomeContext> homes = new ConcurrentHashMap<>();

    @Override
    public HomeContext homeContext(UserId user) {
        return homes.getOrDefault(Checks.notNull(user, "user"), HomeContext.empty());
    }

    @Override
    public void replaceHomeContext(UserId user, HomeContext home) {
        homes.put(Checks.notNull(user, "user"), Checks.notNull(home, "home"));
    }
}
