package dev.chatstream.homeassistant;

import dev.chatstream.core.ActionExecutor;
import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.PromptContextSource;

/**
 * One Home Assistant installation: the devices for prompts ({@link #promptContext}) and the execution of actions
 * ({@link #actions}), sharing one device list that is read at most once per {@link HomeAssistantConfig#entityTtl}.
 * Creating it does no I/O. Thread-safe.
 */
public final class HomeAssistant {
    private final HomeAssistantClient client;
    private final EntityDirectory directory;
    private final HomeAssistantConfig config;

    private HomeAssistant(HomeAssistantConfig config) {
        this.config = config;
        this.client = new HomeAssistantClient(config);
        this.directory = new EntityDirectory(client, config.policy(), config.entityTtl(), System::nanoTime);
    }

    /** Talks to the installation {@code config} names. */
    public static HomeAssistant connect(HomeAssistantConfig config) {
        return new HomeAssistant(config);
    }

    /**
     * The context source for prompts: {@code basePrompt}, and each user's home as Home Assistant's exposed
     * devices with the aliases from {@code homes} (or {@code homes} alone while Home Assistant is unreachable).
     */
    public PromptContextSource promptContext(String basePrompt, HomeContextStore homes) {
        return new HomeAssistantContext(basePrompt, homes, directory);
    }

    /** The executor of {@code homeassistant_call_service} actions, within the config's policy. */
    public ActionExecutor actions() {
        return new HomeAssistantActions(client, directory, config.policy());
    }

    /**
     * Checks that Home Assistant answers and accepts the token.
     *
     * @return empty when it does; otherwise what is wrong, for people
     */
    public java.util.Optional<String> problem() {
        try {
            client.ping();
            return java.util.Optional.empty();
        } catch (HomeAssistantException e) {
            return java.util.Optional.of(e.getMessage());
        }
    }

    /** {@code Home Assistant http://...}. */
    public String describe() {
        return "Home Assistant " + config.baseUrl();
    }
}
