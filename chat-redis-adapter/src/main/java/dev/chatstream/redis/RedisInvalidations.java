package dev.chatstream.redis;

import dev.chatstream.core.Invalidations;
import dev.chatstream.core.UserId;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@link Invalidations} broadcast through Redis pub/sub ({@code <prefix>:invalidate}): a change reaches this node's
 * listeners at once and every other node's within a round trip. A subscriber thread holds a connection of its own and
 * reconnects every second while Redis is gone; what is announced meanwhile is lost, and the caches' own expiry bounds
 * how long another node serves the old context. Thread-safe; {@link #close} stops the subscriber.
 */
public final class RedisInvalidations implements Invalidations, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisInvalidations.class.getName());

    private final Redis redis;
    private final String channel;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean warned = new AtomicBoolean();
    private final RedisSubscriber subscriber;

    /**
     * @param redis  the connections
     * @param prefix what the channel's name starts with ({@code redis.prefix})
     */
    public RedisInvalidations(Redis redis, String prefix) {
        this.redis = redis;
        this.channel = prefix + ":invalidate";
        this.subscriber = new RedisSubscriber(redis, channel, this::heard);
    }

    @Override
    public void changed(UserId user, Kind kind) {
        tell(user, kind);
        try {
            redis.call(j -> j.publish(channel, redis.node() + " " + kind.name() + " " + user.value()));
            warned.set(false);
        } catch (JedisException e) {
            if (warned.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "A change of " + user + "'s " + kind.name().toLowerCase(java.util.Locale.ROOT)
                        + " could not be announced through Redis at " + redis.url() + "; other nodes see it when their "
                        + "caches expire");
            }
        }
    }

    @Override
    public void listen(Listener listener) {
        listeners.add(listener);
    }

    /** How many times the subscriber subscribed (for tests). */
    int subscriptions() {
        return subscriber.subscriptions();
    }

    /** Whether the subscriber is connected now (for tests and readiness). */
    boolean subscribed() {
        return subscriber.subscribed();
    }

    @Override
    public void close() {
        subscriber.close();
    }

    private void tell(UserId user, Kind kind) {
        for (Listener l : listeners) {
            try {
                l.changed(user, kind);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "A cache could not drop " + user + "'s entries", e);
            }
        }
    }

    /** {@code <node> <KIND> <user>}: another node's change; this node's own were told at once. */
    private void heard(String message) {
        String[] parts = message.split(" ", 3);
        if (parts.length != 3 || parts[0].equals(redis.node())) {
            return;
        }
        try {
            tell(UserId.of(parts[2]), Kind.valueOf(parts[1]));
        } catch (IllegalArgumentException unknown) {
            LOG.log(Level.DEBUG, "An invalidation this version does not know was ignored");
        }
    }
}
