package dev.chatstream.redis;

import dev.chatstream.core.AdmissionLimits;
import dev.chatstream.core.Health;
import dev.chatstream.core.HealthCheck;
import dev.chatstream.core.InMemoryAdmissionLimits;
import dev.chatstream.core.UserId;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@link AdmissionLimits} shared by every node that uses the same Redis: so N nodes let through one user's burst once,
 * not N times, and hold the stream caps in all. Each decision is one Lua script, atomic in Redis, on Redis's clock
 * ({@code TIME}), so nodes with skewed clocks agree. A stream's slot is a lease (a member of a sorted set scored by
 * its expiry) that its node renews every third of {@link #LEASE}: a node that dies gives its slots back within that
 * time, with nothing to clean up.
 *
 * <p>When Redis cannot be reached, no request waits for it: decisions fall back to this node's own limits (the
 * configured values, per node), with one WARNING per outage and {@link #degraded()} saying why; Redis is tried again
 * at most once a second, by one request, and when it answers the limits are shared again (an INFO line). Slots taken
 * from either keep going back where they came from. The password is never logged. Thread-safe; {@link #close}
 * stops the renewals.
 */
public final class RedisAdmissionLimits implements AdmissionLimits, HealthCheck, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisAdmissionLimits.class.getName());
    /** How long a stream's slot lasts without renewal: a dead node's slots are free again within it. */
    public static final Duration LEASE = Duration.ofSeconds(15);
    static final Duration RETRY = Duration.ofSeconds(1);

    private static final String TAKE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local burst = tonumber(ARGV[1])
            local perMs = tonumber(ARGV[2]) / 60000
            local h = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
            local tokens = tonumber(h[1])
            local updated = tonumber(h[2])
            if tokens == nil or updated == nil then
              tokens = burst
              updated = now
            end
            tokens = math.min(burst, tokens + math.max(0, now - updated) * perMs)
            local wait = 0
            if tokens >= 1 then
              tokens = tokens - 1
            else
              wait = math.ceil((1 - tokens) / perMs)
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.ceil(burst / perMs) + 60000)
            return wait
            """;
    private static final String OPEN = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
            if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 1 end
            if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then return 2 end
            local lease = tonumber(ARGV[4])
            redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
            redis.call('ZADD', KEYS[2], now + lease, ARGV[3])
            redis.call('PEXPIRE', KEYS[1], lease * 2)
            redis.call('PEXPIRE', KEYS[2], lease * 2)
            return 0
            """;
    private static final String RELEASE = """
            redis.call('ZREM', KEYS[1], ARGV[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            return 0
            """;
    /** KEYS[1] the service's set, KEYS[i + 1] the user's set of ARGV[i + 1]; ARGV[1] the lease. */
    private static final String RENEW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local lease = tonumber(ARGV[1])
            for i = 2, #ARGV do
              redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[i])
              redis.call('ZADD', KEYS[i], 'XX', now + lease, ARGV[i])
              redis.call('PEXPIRE', KEYS[i], lease * 2)
            end
            redis.call('PEXPIRE', KEYS[1], lease * 2)
            return #ARGV - 1
            """;

    private final RedisUrl url;
    private final Redis redis;
    private final boolean ownsRedis;
    private final String prefix;
    private final InMemoryAdmissionLimits local;
    private final Duration lease;
    private final AtomicLong slots = new AtomicLong();
    /** Slots held in Redis through this node: member -> user, renewed until closed. */
    private final Map<String, UserId> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewals;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile long retryAt;
    private volatile String down;

    /**
     * @param url    where Redis is
     * @param prefix what every key starts with ({@code chatstream}): several services can share one Redis
     * @param local  this node's own limits, for when Redis cannot be reached
     */
    public RedisAdmissionLimits(Redis redis, String prefix, InMemoryAdmissionLimits local) {
        this(redis, false, prefix, local, LEASE);
    }

    /** Limits over connections of their own to {@code url}, closed with them. */
    RedisAdmissionLimits(RedisUrl url, String prefix, InMemoryAdmissionLimits local, Duration lease) {
        this(Redis.at(url), true, prefix, local, lease);
    }

    private RedisAdmissionLimits(Redis redis, boolean ownsRedis, String prefix, InMemoryAdmissionLimits local,
            Duration lease) {
        this.redis = redis;
        this.ownsRedis = ownsRedis;
        this.url = redis.url();
        this.prefix = prefix;
        this.local = local;
        this.lease = lease;
        this.renewals = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("chatstream-redis-leases").daemon(true).factory());
        long every = Math.max(1, lease.toMillis() / 3);
        renewals.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public Duration take(UserId user, Rate rate) {
        return shared(() -> {
            Object wait = eval(TAKE, List.of(prefix + ":rate:" + rate.name() + ":" + user.value()),
                    List.of(Integer.toString(rate.burst()), Integer.toString(rate.perMinute())));
            return Duration.ofMillis(((Number) wait).longValue());
        }, () -> local.take(user, rate));
    }

    @Override
    public Slot openStream(UserId user, StreamCaps caps) {
        return shared(() -> {
            String member = redis.node() + ":" + slots.incrementAndGet();
            long answer = ((Number) eval(OPEN, List.of(userKey(user), allKey()), List.of(Integer.toString(caps.perUser()),
                    Integer.toString(caps.total()), member, Long.toString(lease.toMillis())))).longValue();
            if (answer == 1) {
                return Slot.refused(Full.USER);
            }
            if (answer == 2) {
                return Slot.refused(Full.SERVICE);
            }
            held.put(member, user);
            return new Held(member, user);
        }, () -> local.openStream(user, caps));
    }

    @Override
    public int openHere() {
        return held.size() + local.openHere();
    }

    @Override
    public Optional<String> degraded() {
        String why = down;
        return why == null ? Optional.empty() : Optional.of("Redis at " + url + " cannot be reached (" + why
                + "); rate limits and stream caps are this node's own until it is back");
    }

    /** Redis answers {@code PING}: ok; else the problem (the server stays ready: limits fall back to per node). */
    @Override
    public Health check() {
        Map<String, String> facts = Map.of("redis_url", url.toString());
        try {
            redis.call(Jedis::ping);
            return Health.ok(facts);
        } catch (JedisException e) {
            return Health.problem(facts, "Redis at " + url + " cannot be reached (" + reason(e) + "); rate limits and "
                    + "stream caps are this node's own until it is back", Optional.empty());
        }
    }

    @Override
    public void close() {
        renewals.shutdownNow();
        if (ownsRedis) {
            redis.close();
        }
    }

    private String userKey(UserId user) {
        return prefix + ":streams:user:" + user.value();
    }

    private String allKey() {
        return prefix + ":streams:all";
    }

    private Object eval(String script, List<String> keys, List<String> args) {
        return redis.call(j -> j.eval(script, keys, args));
    }

    /** Redis's answer, or this node's when Redis is down (tried again once a second, by one caller). */
    private <T> T shared(Supplier<T> redis, Supplier<T> fallback) {
        if (down != null && (System.nanoTime() < retryAt || !probing.compareAndSet(false, true))) {
            return fallback.get();
        }
        try {
            T answer = redis.get();
            if (down != null) {
                down = null;
                LOG.log(Level.INFO, "Redis at " + url + " answers again: rate limits and stream caps are shared again");
            }
            return answer;
        } catch (JedisException e) {
            retryAt = System.nanoTime() + RETRY.toNanos();
            if (down == null) {
                down = reason(e);
                LOG.log(Level.WARNING, "Redis at " + url + " cannot be reached (" + down + "): rate limits and stream "
                        + "caps are this node's own until it is back; chats go on");
            }
            return fallback.get();
        } finally {
            probing.set(false);
        }
    }

    /** What went wrong, in the client's words without the URL (the exception never holds the password). */
    private static String reason(JedisException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return dev.chatstream.core.LogText.field(message);
    }

    private void renew() {
        if (held.isEmpty() || down != null) {
            return;
        }
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>();
        keys.add(allKey());
        args.add(Long.toString(lease.toMillis()));
        held.forEach((member, user) -> {
            keys.add(userKey(user));
            args.add(member);
        });
        try {
            eval(RENEW, keys, args);
        } catch (JedisException e) {
            LOG.log(Level.DEBUG, "Renewing stream leases in Redis failed; they are renewed again in "
                    + lease.toMillis() / 3 + " ms", e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Renewing stream leases failed", e);
        }
    }

    /** A slot in Redis; closing it removes the lease (or, if Redis is down then, lets it expire). */
    private final class Held implements Slot {
        private final String member;
        private final UserId user;
        private final AtomicBoolean closed = new AtomicBoolean();

        Held(String member, UserId user) {
            this.member = member;
            this.user = user;
        }

        @Override
        public Optional<Full> refused() {
            return Optional.empty();
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            held.remove(member);
            try {
                eval(RELEASE, List.of(userKey(user), allKey()), List.of(member));
            } catch (JedisException e) {
                // the lease expires by itself within LEASE
            }
        }
    }
}
