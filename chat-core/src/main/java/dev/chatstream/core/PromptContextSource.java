package dev.chatstream.core;

/**
 * The port to the context every prompt starts with. Implementations may be slow (files, databases,
 * Home Assistant); the cache adapter decorates them. Thread-safe.
 */
public interface PromptContextSource {
    /**
     * The base system prompt: who the assistant is and how it requests actions.
     *
     * @throws ChatException when it cannot be loaded
     */
    String baseSystemPrompt();

    /**
     * One user's home: devices, areas and aliases. Never another user's.
     *
     * @throws ChatException when it cannot be loaded
     */
    HomeContext homeContext(UserId user);
}
