package dev.chatstream.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.name.Named;
import dev.chatstream.core.AdmissionLimits;
import dev.chatstream.core.Health;
import dev.chatstream.core.HealthCheck;
import dev.chatstream.core.InMemoryAdmissionLimits;
import dev.chatstream.core.Invalidations;
import java.util.Map;

/**
 * Without {@code redis.url} (the default, one node): nothing is shared; rate limits and stream caps are in this
 * process's memory, actions wait for confirmation in it, turns' logs are kept in it, and a change of a home or
 * memories drops this process's cached copy only.
 */
final class OneNodeModule extends AbstractModule {

    @Provides
    @Singleton
    AdmissionLimits limits() {
        return new InMemoryAdmissionLimits();
    }

    @Provides
    @Singleton
    dev.chatstream.core.ActionTickets tickets() {
        return new dev.chatstream.core.InMemoryActionTickets();
    }

    @Provides
    @Singleton
    dev.chatstream.core.TurnDirectory turnDirectory() {
        return dev.chatstream.core.TurnDirectory.local();
    }

    /** Where turns' events are kept: this process's memory. */
    @Provides
    @Singleton
    dev.chatstream.core.TurnLogs turnLogs() {
        return new dev.chatstream.core.InMemoryTurnLogs();
    }

    @Provides
    @Singleton
    Invalidations invalidations() {
        return Invalidations.local();
    }

    @Provides
    @Singleton
    @Named("shared")
    HealthCheck check() {
        Health alone = Health.ok(Map.of());
        return () -> alone;
    }
}
