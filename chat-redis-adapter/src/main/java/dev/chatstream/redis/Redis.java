package dev.chatstream.redis;

import java.time.Duration;
import java.util.function.Function;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The connections to one Redis: a pool for commands (short timeouts, so that no request waits long for a Redis that
 * is gone) and fresh connections for a subscriber. Shared by everything this adapter keeps there. Thread-safe.
 */
public final class Redis implements AutoCloseable {
    private final RedisUrl url;
    private final HostAndPort address;
    private final JedisClientConfig client;
    private final JedisPool pool;
    private final String node = newNodeId();

    private Redis(RedisUrl url) {
        this.url = url;
        this.address = new HostAndPort(url.host(), url.port());
        DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder().database(url.database())
                .ssl(url.tls()).connectionTimeoutMillis(500).socketTimeoutMillis(1000).clientName("chatstream");
        url.user().ifPresent(builder::user);
        url.password().ifPresent(builder::password);
        this.client = builder.build();
        JedisPoolConfig config = new JedisPoolConfig();
        config.setMaxTotal(256); // a client reading another node's turn holds one while its read waits (250 ms)
        config.setMaxIdle(64);
        config.setMaxWait(Duration.ofMillis(500));
        config.setJmxEnabled(false);
        this.pool = new JedisPool(config, address, client);
    }

    /** Connections to {@code url}; nothing is opened until the first command. */
    public static Redis at(RedisUrl url) {
        return new Redis(url);
    }

    /**
     * This node's name in what it writes to Redis (its stream leases, its turns, the messages it publishes): random,
     * one per {@code Redis}, so that two nodes never share one.
     */
    String node() {
        return node;
    }

    private static String newNodeId() {
        byte[] bytes = new byte[9];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Where it is, without the password. */
    public RedisUrl url() {
        return url;
    }

    /**
     * {@code command} on a pooled connection; once more on a fresh one when the connection broke (a connection pooled
     * before Redis restarted is closed by then, and must not count as an outage).
     */
    <T> T call(Function<Jedis, T> command) {
        try (Jedis j = pool.getResource()) {
            return command.apply(j);
        } catch (JedisConnectionException broken) {
            try (Jedis j = pool.getResource()) {
                return command.apply(j);
            }
        }
    }

    /** A connection of its own, for a subscriber that holds it; the caller closes it. */
    Jedis dedicated() {
        return new Jedis(address, client);
    }

    @Override
    public void close() {
        pool.close();
    }
}
