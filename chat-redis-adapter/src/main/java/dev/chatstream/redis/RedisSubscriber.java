package dev.chatstream.redis;

import java.lang.System.Logger.Level;
import java.util.function.Consumer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One pub/sub channel, listened to on a connection of its own by a daemon thread that reconnects every second while
 * Redis is gone (what is published meanwhile is not heard). {@link #close} stops it.
 */
final class RedisSubscriber implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisSubscriber.class.getName());

    private final Redis redis;
    private final String channel;
    private final Consumer<String> messages;
    private final Thread thread;
    private volatile JedisPubSub subscription;
    private volatile boolean subscribed;
    private volatile boolean closed;

    RedisSubscriber(Redis redis, String channel, Consumer<String> messages) {
        this.redis = redis;
        this.channel = channel;
        this.messages = messages;
        this.thread = Thread.ofPlatform().daemon().name("chatstream-redis-" + channel).start(this::run);
    }

    /** How many times it subscribed (1 while its first connection holds). */
    int subscriptions() {
        return subscriptions.get();
    }

    private final java.util.concurrent.atomic.AtomicInteger subscriptions = new java.util.concurrent.atomic.AtomicInteger();

    /** Whether it is connected and subscribed now. */
    boolean subscribed() {
        return subscribed;
    }

    @Override
    public void close() {
        closed = true;
        JedisPubSub s = subscription;
        if (s != null) {
            try {
                s.unsubscribe();
            } catch (RuntimeException notConnected) {
                // the thread ends at its next retry
            }
        }
        thread.interrupt();
    }

    private void run() {
        while (!closed) {
            try (Jedis j = redis.dedicated()) {
                JedisPubSub s = new JedisPubSub() {
                    @Override
                    public void onSubscribe(String name, int count) {
                        subscriptions.incrementAndGet();
                        subscribed = true;
                    }

                    @Override
                    public void onMessage(String name, String message) {
                        try {
                            messages.accept(message);
                        } catch (RuntimeException e) {
                            LOG.log(Level.WARNING, "A message on " + channel + " could not be handled", e);
                        }
                    }
                };
                subscription = s;
                j.subscribe(s, channel); // blocks until unsubscribed or the connection breaks
            } catch (JedisException e) {
                LOG.log(Level.DEBUG, "The subscriber of " + channel + " lost Redis; it tries again in 1 s", e);
            } finally {
                subscribed = false;
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
