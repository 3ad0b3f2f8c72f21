package dev.chatstream.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The port through which a node tells every node (itself included) that a user's cached context changed, so each drops
 * it: a home changed through node A reaches node B's next prompt at once, not when B's cache expires. On one node
 * ({@link #local}) a change reaches this node's listeners straight away; several nodes broadcast it (the Redis
 * adapter), where a message lost while the broadcast was down is bounded by the caches' own expiry. Thread-safe.
 */
public interface Invalidations {

    /** What changed. */
    enum Kind {
        /** the user's home context (devices, aliases) */
        HOME,
        /** the user's memories */
        MEMORIES
    }

    /** What a node does when it hears of a change. Must be quick and never throw. */
    interface Listener {
        void changed(UserId user, Kind kind);
    }

    /** Tells every node that {@code user}'s {@code kind} changed. Never throws: a lost message only delays. */
    void changed(UserId user, Kind kind);

    /** Registers {@code listener} for every change announced by any node. */
    void listen(Listener listener);

    /** One node: a change goes straight to this node's listeners. */
    static Invalidations local() {
        List<Listener> listeners = new CopyOnWriteArrayList<>();
        return new Invalidations() {
            @Override
            public void changed(UserId user, Kind kind) {
                listeners.forEach(l -> l.changed(user, kind));
            }

            @Override
            public void listen(Listener listener) {
                listeners.add(Checks.notNull(listener, "listener"));
            }
        };
    }

    /** {@code store}, announcing each change of a home once it is written. */
    static HomeContextStore announcing(HomeContextStore store, Invalidations invalidations) {
        Checks.notNull(store, "store");
        Checks.notNull(invalidations, "invalidations");
        return new HomeContextStore() {
            @Override
            public HomeContext homeContext(UserId user) {
                return store.homeContext(user);
            }

            @Override
            public void replaceHomeContext(UserId user, HomeContext context) {
                try {
                    store.replaceHomeContext(user, context);
                } finally {
                    invalidations.changed(user, Kind.HOME);
                }
            }
        };
    }

    /** {@code store}, announcing each change of memories once it is written. */
    static MemoryStore announcing(MemoryStore store, Invalidations invalidations) {
        Checks.notNull(store, "store");
        Checks.notNull(invalidations, "invalidations");
        return new MemoryStore() {
            @Override
            public List<Memory> relevant(UserId user, String message, int limit) {
                return store.relevant(user, message, limit);
            }

            @Override
            public Memory add(UserId user, String text) {
                try {
                    return store.add(user, text);
                } finally {
                    invalidations.changed(user, Kind.MEMORIES);
                }
            }

            @Override
            public List<Memory> list(UserId user) {
                return store.list(user);
            }

            @Override
            public boolean delete(UserId user, long memoryId) {
                try {
                    return store.delete(user, memoryId);
                } finally {
                    invalidations.changed(user, Kind.MEMORIES);
                }
            }
        };
    }
}
