package dev.chatstream.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.name.Named;
import dev.chatstream.core.ActionExecutor;
import dev.chatstream.core.Health;
import dev.chatstream.core.HealthCheck;
import dev.chatstream.core.PromptContextSource;
import dev.chatstream.homeassistant.HomeAssistant;
import dev.chatstream.homeassistant.HomeAssistantConfig;
import dev.chatstream.store.JdbcStore;
import java.util.Map;
import java.util.Optional;

/**
 * With {@code homeassistant.url}: prompts list the devices Home Assistant exposes (with the users' stored aliases),
 * and actions run there when {@code actions.auto} is on. No I/O at start: an unreachable Home Assistant never
 * stops the server; readiness reports it.
 */
final class HomeAssistantModule extends AbstractModule {
    private final HomeAssistantConfig config;

    HomeAssistantModule(HomeAssistantConfig config) {
        this.config = config;
    }

    @Provides
    @Singleton
    HomeAssistant homeAssistant() {
        return HomeAssistant.connect(config);
    }

    @Provides
    @Singleton
    @Named("homes")
    PromptContextSource homes(HomeAssistant ha, BasePrompt prompt, JdbcStore store) {
        return ha.promptContext(prompt.text(), store.homes());
    }

    @Provides
    @Singleton
    @Named("home")
    HealthCheck check(HomeAssistant ha) {
        return () -> {
            Map<String, String> facts = Map.of("home", ha.describe());
            Optional<String> problem = ha.problem();
            return problem.isEmpty() ? Health.ok(facts) : Health.problem(facts, problem.get(), Optional.empty());
        };
    }

    @Provides
    @Singleton
    ActionExecutor actions(HomeAssistant ha) {
        return ha.actions();
    }
}
