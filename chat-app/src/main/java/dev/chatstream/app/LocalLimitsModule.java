package dev.chatstream.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.name.Named;
import dev.chatstream.core.AdmissionLimits;
import dev.chatstream.core.Health;
import dev.chatstream.core.HealthCheck;
import dev.chatstream.core.InMemoryAdmissionLimits;
import java.util.Map;

/** Without {@code redis.url} (the default, one node): rate limits and stream caps in this process's memory. */
final class LocalLimitsModule extends AbstractModule {

    @Provides
    @Singleton
    AdmissionLimits limits() {
        return new InMemoryAdmissionLimits();
    }

    @Provides
    @Singleton
    @Named("shared")
    HealthCheck check() {
        Health alone = Health.ok(Map.of());
        return () -> alone;
    }
}
