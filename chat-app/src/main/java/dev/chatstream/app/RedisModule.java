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
import dev.chatstream.redis.RedisAdmissionLimits;
import dev.chatstream.redis.RedisConfig;

/**
 * With {@code redis.url}: several nodes share their rate limits and stream caps through Redis, falling back to this
 * node's own while Redis cannot be reached ({@code /api/ready} then says {@code degraded}). See docs/scale-out.md.
 */
final class RedisModule extends AbstractModule {
    private final RedisConfig config;

    RedisModule(RedisConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), AutoCloseable.class, Names.named(Owned.NAME)).addBinding()
                .to(RedisAdmissionLimits.class);
    }

    @Provides
    @Singleton
    RedisAdmissionLimits redis() {
        return new RedisAdmissionLimits(config.url(), config.prefix(), new InMemoryAdmissionLimits());
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
