package dev.chatstream.http;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.chatstream.core.ActionExecutor;
import dev.chatstream.core.PromptContextSource;
import dev.chatstream.homeassistant.HomeAssistant;
import dev.chatstream.homeassistant.HomeAssistantConfig;
import dev.chatstream.store.JdbcStore;

/**
 * With {@code homeassistant.url}: prompts list the devices Home Assistant exposes (with the users' stored
 * aliases), and actions run there ({@code actions.auto}). Installed over the base wiring when
 * {@link AdapterModules} picks it; replaces its uncached {@link PromptContextSource} (the cache still wraps it)
 * and its {@link ActionExecutor}. No I/O at start: an unreachable Home Assistant never stops the server.
 */
public final class HomeAssistantModule extends AbstractModule {
    private final HomeAssistantConfig config;

    public HomeAssistantModule(HomeAssistantConfig config) {
        this.config = config;
    }

    @Provides
    @Singleton
    HomeAssistant homeAssistant() {
        return HomeAssistant.connect(config);
    }

    @Provides
    @Singleton
    PromptContextSource context(HomeAssistant ha, JdbcStore store, ServerConfig server) {
        return ha.promptContext(server.basePrompt(), store.homes());
    }

    @Provides
    @Singleton
    HomeCheck homeCheck(HomeAssistant ha) {
        return new HomeCheck() {
            @Override
            public String describe() {
                return ha.describe();
            }

            @Override
            public java.util.Optional<String> problem() {
                return ha.problem();
            }
        };
    }

    @Provides
    @Singleton
    ActionExecutor actions(HomeAssistant ha) {
        return ha.actions();
    }
}
