package dev.chatstream.core;

/**
 * The port to where each user's home context is kept and changed (the store, the context API). A
 * {@link PromptContextSource} reads homes for prompts; this port also writes them, so a caching decorator
 * can drop a user's cached home the moment it changes. Every method is scoped to one user. Thread-safe.
 *
 * <p>The contract, checked by {@code HomeContextStoreContract} in this module's test-jar, holds for stores
 * and for the caching decorator alike.
 */
public interface HomeContextStore {
    /**
     * One user's home; {@link HomeContext#empty()} for a user who has none.
     *
     * @throws ChatException when it cannot be loaded
     */
    HomeContext homeContext(UserId user);

    /**
     * Replaces one user's home with {@code home}. Later reads, cached or not, see the new home.
     *
     * @throws ChatException when it cannot be stored; the old home is then unchanged
     */
    void replaceHomeContext(UserId user, HomeContext home);
}
