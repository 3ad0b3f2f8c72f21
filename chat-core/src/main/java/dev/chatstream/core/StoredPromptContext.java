package dev.chatstream.core;

/**
 * The usual {@link PromptContextSource}: a fixed base prompt (e.g. {@link SystemPrompt#defaultPrompt()} or
 * {@link SystemPrompt#fromFile}) and each user's home from a {@link HomeContextStore}. Does no caching;
 * wrap it in the cache adapter when the store is slow. Thread-safe if the store is.
 */
public final class StoredPromptContext implements PromptContextSource {
    private final String basePrompt;
    private final HomeContextStore homes;

    /**
     * @param basePrompt the base system prompt, not blank
     * @param homes      where each user's home is read from
     */
    public StoredPromptContext(String basePrompt, HomeContextStore homes) {
        Checks.notNull(basePrompt, "basePrompt");
        if (basePrompt.isBlank()) {
            throw new IllegalArgumentException("basePrompt must not be blank");
        }
        this.basePrompt = basePrompt;
        this.homes = Checks.notNull(homes, "homes");
    }

    @Override
    public String baseSystemPrompt() {
        return basePrompt;
    }

    @Override
    public HomeContext homeContext(UserId user) {
        return homes.homeContext(user);
    }
}
