package dev.chatstream.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import dev.chatstream.core.AdmissionLimits;
import dev.chatstream.core.HealthCheck;
import dev.chatstream.core.InMemoryAdmissionLimits;
import dev.chatstream.redis.Redis;
import dev.chatstream.redis.RedisAdmissionLimits;
import dev.chatstream.redis.RedisInvalidations;
import dev.chatstream.redis.RedisConfig;

/**
 * With {@code redis.url}: several nodes share their rate limits and stream caps through Redis, falling back to this
 * node's own while Redis cannot be reached ({@code /api/ready} then says {@code degraded}), keep the actions that wait
 * for confirmation there (any node can confirm one, once), copy each turn's log there (a client resumes it through any
 * node; a dead node's turns end with {@code node_lost}), and announce changes of homes and memories to each other's
 * caches. See docs/scale-out.md.
 */
final class RedisModule extends AbstractModule {
    private final RedisConfig config;

    RedisModule(RedisConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        Multibinder<AutoCloseable> owned = Multibinder.newSetBinder(binder(), AutoCloseable.class,
                Names.named(Owned.NAME));
        owned.addBinding().to(Redis.class); // first: what is owned closes in reverse, so after what uses it
        owned.addBinding().to(RedisAdmissionLimits.class);
        owned.addBinding().to(RedisInvalidations.class);
        owned.addBinding().to(dev.chatstream.redis.RedisTurnDirectory.class);
        owned.addBinding().to(dev.chatstream.redis.RedisTurnLogs.class); // closes first: its last copies go out
    }

    @Provides
    @Singleton
    Redis connections() {
        return Redis.at(config.url());
    }

    @Provides
    @Singleton
    RedisAdmissionLimits redis(Redis redis) {
        return new RedisAdmissionLimits(redis, config.prefix(), new InMemoryAdmissionLimits());
    }

    @Provides
    @Singleton
    RedisInvalidations redisInvalidations(Redis redis) {
        return new RedisInvalidations(redis, config.prefix());
    }

    @Provides
    @Singleton
    dev.chatstream.redis.RedisTurnDirectory redisTurns(Redis redis, dev.chatstream.http.HttpConfig http) {
        return new dev.chatstream.redis.RedisTurnDirectory(redis, config.prefix(), longest(http),
                http.turns().keep());
    }

    /** Each turn's log, kept here and copied to Redis, where any node reads it (resume through another node). */
    @Provides
    @Singleton
    dev.chatstream.redis.RedisTurnLogs redisTurnLogs(Redis redis, dev.chatstream.http.HttpConfig http) {
        return new dev.chatstream.redis.RedisTurnLogs(redis, config.prefix(), longest(http), http.turns().keep());
    }

    @Provides
    @Singleton
    dev.chatstream.core.TurnLogs turnLogs(dev.chatstream.redis.RedisTurnLogs logs) {
        return logs;
    }

    /** No turn runs longer than the stream limit, and an ended one is kept no longer than that again. */
    private static java.time.Duration longest(dev.chatstream.http.HttpConfig http) {
        return http.maxStreamDuration().multipliedBy(2).plusMinutes(5);
    }

    @Provides
    @Singleton
    dev.chatstream.core.TurnDirectory turnDirectory(dev.chatstream.redis.RedisTurnDirectory turns) {
        return turns;
    }

    @Provides
    @Singleton
    dev.chatstream.core.ActionTickets tickets(Redis redis) {
        return new dev.chatstream.redis.RedisActionTickets(redis, config.prefix());
    }

    @Provides
    @Singleton
    dev.chatstream.core.Invalidations invalidations(RedisInvalidations invalidations) {
        return invalidations;
    }

    @Provides
    @Singleton
    AdmissionLimits limits(RedisAdmissionLimits redis) {
        return redis;
    }

    @Provides
    @Singleton
    @Named("shared")
    HealthCheck check(RedisAdmissionLimits redis) {
        return redis;
    }
}
