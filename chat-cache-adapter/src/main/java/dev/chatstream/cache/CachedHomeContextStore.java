package dev.chatstream.cache;

import dev.chatstream.core.HomeContext;
import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.UserId;
import java.util.Objects;

/**
 * A {@link HomeContextStore} whose reads come from a {@link CaffeinePromptContextSource} and whose writes
 * go to the store and then drop the user's cached home, even when the write fails halfway (a stale home
 * for 10 minutes is worse than one extra load).
 */
final class CachedHomeContextStore implements HomeContextStore {
    private final CaffeinePromptContextSource cache;
    private final HomeContextStore store;

    CachedHomeContextStore(CaffeinePromptContextSource cache, HomeContextStore store) {
        this.cache = cache;
        this.store = store;
    }

    @Override
    public HomeContext homeContext(UserId user) {
        return cache.homeContext(user);
    }

    @Override
    public void replaceHomeContext(UserId user, HomeContext home) {
        Objects.requireNonNull(user, "user");
        try {
            store.replaceHomeContext(user, home);
        } finally {
            cache.invalidate(user);
        }
    }
}
