package dev.chatstream.homeassistant;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The exposed entities of the installation (those the policy exposes, less those hidden in Home Assistant's
 * entity registry, as Home Assistant's own exposure leaves them out), read from Home Assistant at most once per TTL and shared by the
 * prompt and the action checks. When Home Assistant cannot be reached the last good list stays in use; with no
 * list yet the failure is remembered for {@link #RETRY} so that chats do not each wait for a dead server.
 * Thread-safe.
 */
final class EntityDirectory {
    static final Duration RETRY = Duration.ofSeconds(30);
    private static final System.Logger LOG = System.getLogger(EntityDirectory.class.getName());

    private final HomeAssistantClient client;
    private final ActionPolicy policy;
    private final long ttlNanos;
    private final LongSupplier nanos;
    private final ReentrantLock loading = new ReentrantLock();
    private volatile Map<String, Entity> entities;
    private volatile long freshUntil;
    private volatile HomeAssistantException lastFailure;
    private volatile boolean areasWarned;

    EntityDirectory(HomeAssistantClient client, ActionPolicy policy, Duration ttl, LongSupplier nanos) {
        this.client = client;
        this.policy = policy;
        this.ttlNanos = ttl.toNanos();
        this.nanos = nanos;
        this.freshUntil = nanos.getAsLong();
    }

    /**
     * Exposed entity id to entity, in Home Assistant's order.
     *
     * @throws HomeAssistantException when Home Assistant could not be read and no earlier list exists
     */
    Map<String, Entity> entities() {
        if (nanos.getAsLong() - freshUntil < 0) {
            return current();
        }
        loading.lock();
        try {
            if (nanos.getAsLong() - freshUntil < 0) {
                return current();
            }
            try {
                entities = load();
                lastFailure = null;
                freshUntil = nanos.getAsLong() + ttlNanos;
            } catch (HomeAssistantException e) {
                lastFailure = e;
                freshUntil = nanos.getAsLong() + RETRY.toNanos();
                LOG.log(System.Logger.Level.WARNING, (entities == null ? "" : "Using the device list read earlier: ")
                        + e.getMessage());
            }
            return current();
        } finally {
            loading.unlock();
        }
    }

    private Map<String, Entity> current() {
        Map<String, Entity> e = entities;
        if (e == null) {
            HomeAssistantException f = lastFailure;
            throw f != null ? f : new HomeAssistantException("Home Assistant's devices were not read yet", 0, null);
        }
        return e;
    }

    private Map<String, Entity> load() {
        HomeAssistantClient.Registry registry;
        Map<String, Entity> out = new LinkedHashMap<>();
        var states = client.states();
        try {
            registry = client.registry();
        } catch (HomeAssistantException e) {
            if (!areasWarned) {
                areasWarned = true;
                LOG.log(System.Logger.Level.WARNING, "Device areas come from the stored home context only: "
                        + e.getMessage());
            }
            registry = new HomeAssistantClient.Registry(Map.of(), java.util.Set.of());
        }
        for (Entity s : states) {
            if (policy.exposes(s.entityId()) && !registry.hidden().contains(s.entityId())) {
                out.put(s.entityId(), new Entity(s.entityId(), s.name(),
                        registry.areas().getOrDefault(s.entityId(), "")));
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
