package dev.chatstream.core;

/**
 * Limits and sizes of the streaming use case. Start from {@link #defaults()} and change what you need
 * with the {@code with...} methods.
 *
 * @param historyWindow         how many of the latest history messages go into the prompt (default 12)
 * @param promptTokenBudget     the estimated tokens the whole prompt may take; the oldest history goes
 *                              first when it is over (default 6000; leave room for the reply in the
 *                              model's context, e.g. num_ctx 8192)
 * @param maxMessageChars       the longest accepted message, in characters (default 8000)
 * @param maxHistoryItems       the most history messages a request may carry (default 100)
 * @param maxHistoryItemChars   the longest accepted history message (default 32000)
 * @param maxHistoryTotalChars  the most characters of history in all (default 200000)
 * @param memoryLimit           how many relevant memories go into the prompt (default 5)
 */
public record ChatSettings(int historyWindow, int promptTokenBudget, int maxMessageChars, int maxHistoryItems,
                           int maxHistoryItemChars, int maxHistoryTotalChars, int memoryLimit) {
    private static final ChatSettings DEFAULTS = new ChatSettings(12, 6000, 8000, 100, 32_000, 200_000, 5);

    public ChatSettings {
        Checks.notNegative(historyWindow, "historyWindow");
        Checks.positive(promptTokenBudget, "promptTokenBudget");
        Checks.positive(maxMessageChars, "maxMessageChars");
        Checks.notNegative(maxHistoryItems, "maxHistoryItems");
        Checks.positive(maxHistoryItemChars, "maxHistoryItemChars");
        Checks.positive(maxHistoryTotalChars, "maxHistoryTotalChars");
        Checks.positive(memoryLimit, "memoryLimit");
    }

    /** {@code limits.message.chars}: the longest message. */
    public static final Settings.Key MAX_MESSAGE_CHARS = new Settings.Key("limits.message.chars", "8000");
    /** {@code limits.history.items}: the most history items a request may carry. */
    public static final Settings.Key MAX_HISTORY_ITEMS = new Settings.Key("limits.history.items", "100");
    /** The settings this section reads. */
    public static final java.util.List<Settings.Key> KEYS = java.util.List.of(MAX_MESSAGE_CHARS, MAX_HISTORY_ITEMS);

    /** The defaults listed above. */
    public static ChatSettings defaults() {
        return DEFAULTS;
    }

    /**
     * The defaults with the message and history limits {@code settings} set.
     *
     * @throws ConfigException naming the key, its source and the accepted values when one is wrong
     */
    public static ChatSettings from(Settings settings) {
        ChatSettings d = defaults();
        return d.withMaxMessageChars(settings.integer(MAX_MESSAGE_CHARS, 1, 1_000_000))
                .withHistoryLimits(settings.integer(MAX_HISTORY_ITEMS, 0, 10_000), d.maxHistoryItemChars(),
                        d.maxHistoryTotalChars());
    }

    /** A copy with another history window. */
    public ChatSettings withHistoryWindow(int messages) {
        return new ChatSettings(messages, promptTokenBudget, maxMessageChars, maxHistoryItems, maxHistoryItemChars,
                maxHistoryTotalChars, memoryLimit);
    }

    /** A copy with another prompt token budget. */
    public ChatSettings withPromptTokenBudget(int tokens) {
        return new ChatSettings(historyWindow, tokens, maxMessageChars, maxHistoryItems, maxHistoryItemChars,
                maxHistoryTotalChars, memoryLimit);
    }

    /** A copy with another message length limit. */
    public ChatSettings withMaxMessageChars(int chars) {
        return new ChatSettings(historyWindow, promptTokenBudget, chars, maxHistoryItems, maxHistoryItemChars,
                maxHistoryTotalChars, memoryLimit);
    }

    /** A copy with other history limits. */
    public ChatSettings withHistoryLimits(int items, int itemChars, int totalChars) {
        return new ChatSettings(historyWindow, promptTokenBudget, maxMessageChars, items, itemChars, totalChars,
                memoryLimit);
    }

    /** A copy with another number of memories per prompt. */
    public ChatSettings withMemoryLimit(int memories) {
        return new ChatSettings(historyWindow, promptTokenBudget, maxMessageChars, maxHistoryItems,
                maxHistoryItemChars, maxHistoryTotalChars, memories);
    }
}
