package dev.chatstream.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.name.Named;
import dev.chatstream.core.ActionExecutor;
import dev.chatstream.core.Health;
import dev.chatstream.core.HealthCheck;
import dev.chatstream.core.PromptContextSource;
import dev.chatstream.core.StoredPromptContext;
import dev.chatstream.store.JdbcStore;
import java.util.Map;

/**
 * Without {@code homeassistant.url} (the default): prompts' home context is what users stored
 * ({@code PUT /api/context}, {@code chat context import}), and no action can run.
 */
final class StoredHomeModule extends AbstractModule {

    @Provides
    @Singleton
    @Named("homes")
    PromptContextSource homes(BasePrompt prompt, JdbcStore store) {
        return new StoredPromptContext(prompt.text(), store.homes());
    }

    /** Homes come from the store, which the readiness check already asks. */
    @Provides
    @Singleton
    @Named("home")
    HealthCheck check() {
        Health stored = Health.ok(Map.of("home", "stored home context"));
        return () -> stored;
    }

    @Provides
    @Singleton
    ActionExecutor actions() {
        return new NoActions();
    }
}
