package dev.chatstream.redis;

import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.TransientException;
import dev.chatstream.core.TurnDirectory;
import dev.chatstream.core.UserId;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * {@link TurnDirectory} in Redis: each running turn is a key ({@code <prefix>:turn:<id>} → its node and user) that
 * lives no longer than a turn can run, and a stop sent through another node is published on {@code <prefix>:stop}
 * for the owner, which stops the turn as its own Stop would (its LLM request closes at once). Thread-safe;
 * {@link #close} stops the subscriber.
 */
public final class RedisTurnDirectory implements TurnDirectory, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisTurnDirectory.class.getName());

    private final Redis redis;
    private final String prefix;
    private final Duration longest;
    private final List<StopListener> listeners = new CopyOnWriteArrayList<>();
    private final RedisSubscriber subscriber;

    /**
     * @param redis   the connections
     * @param prefix  what every key starts with ({@code redis.prefix})
     * @param longest the longest a turn can run and be kept ({@code limits.stream.seconds} plus the resume grace):
     *                an entry that a dying node never removed is gone after it
     */
    public RedisTurnDirectory(Redis redis, String prefix, Duration longest) {
        this.redis = redis;
        this.prefix = prefix;
        this.longest = longest;
        this.subscriber = new RedisSubscriber(redis, prefix + ":stop", this::heard);
    }

    @Override
    public void running(UserId user, String turnId) {
        try {
            redis.call(j -> j.set(key(turnId), redis.node() + " " + user.value(), SetParams.setParams().px(longest.toMillis())));
        } catch (JedisException e) {
            LOG.log(Level.DEBUG, "Turn " + turnId + " could not be noted in Redis; a stop must reach this node", e);
        }
    }

    @Override
    public void ended(String turnId) {
        try {
            redis.call(j -> j.del(key(turnId)));
        } catch (JedisException e) {
            LOG.log(Level.DEBUG, "Turn " + turnId + " could not be removed from Redis; it expires by itself", e);
        }
    }

    @Override
    public boolean stopElsewhere(UserId user, String turnId) {
        try {
            String owner = redis.call(j -> j.get(key(turnId)));
            if (owner == null) {
                return false;
            }
            String[] parts = owner.split(" ", 2);
            if (parts.length != 2 || parts[0].equals(redis.node()) || !parts[1].equals(user.value())) {
                return false;
            }
            redis.call(j -> j.publish(prefix + ":stop", parts[0] + " " + turnId + " " + user.value()));
            return true;
        } catch (JedisException e) {
            throw new TransientException(ErrorCode.SHARED_STATE_UNAVAILABLE, "Redis at " + redis.url() + ", which says "
                    + "which server runs each reply, cannot be reached; try again in a moment, or stop the reply "
                    + "through the connection that streams it", e);
        }
    }

    @Override
    public void onStop(StopListener listener) {
        listeners.add(listener);
    }

    /** Whether the stop subscriber is connected now (for tests). */
    boolean subscribed() {
        return subscriber.subscribed();
    }

    @Override
    public void close() {
        subscriber.close();
    }

    private String key(String turnId) {
        return prefix + ":turn:" + turnId;
    }

    /** {@code <node> <turn> <user>}: a stop for one of this node's turns. */
    private void heard(String message) {
        String[] parts = message.split(" ", 3);
        if (parts.length != 3 || !parts[0].equals(redis.node())) {
            return;
        }
        UserId user = UserId.of(parts[2]);
        listeners.forEach(l -> l.stop(user, parts[1]));
    }
}
